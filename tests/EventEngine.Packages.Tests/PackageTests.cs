using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Xunit;

namespace EventEngine.Packages.Tests;

/// <summary>
/// Packs the libraries of src/ (their build output) into a temporary folder and builds the README's quick start
/// against those packages, restored from that folder only, as a user outside this repository would.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly string[] Libraries = ["EventEngine.Actors", "EventEngine.Actors.Hosting", "EventEngine.Actors.TestKit", "EventEngine.Actors.Dashboard", "EventEngine.Cli"];
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private readonly string _work = Directory.CreateTempSubdirectory("eventengine-packages-").FullName;
    private string Feed => Path.Combine(_work, "feed");

    [Fact]
    public async Task The_packed_libraries_carry_their_metadata_and_the_quick_start_builds_against_them()
    {
        await Dotnet($"pack \"{LibrariesFilter()}\" -c {Configuration} --no-build -nologo -o \"{Feed}\"",
            ProgramRunner.RepoRoot, $"packing {string.Join(", ", Libraries)} (build the solution in {Configuration} first)");

        var specs = Libraries.ToDictionary(l => l, l => Nuspec(PackageOf(l)));
        var version = specs["EventEngine.Actors"].Version;
        foreach (var (library, spec) in specs)
        {
            Assert.True(spec.Version == version, $"{library} is version {spec.Version}, EventEngine.Actors {version}: one version for all (src/Directory.Build.props)");
            Assert.Equal("BSD-3-Clause", spec.License);
            Assert.False(string.IsNullOrWhiteSpace(spec.Description), $"{library} has no description");
            Assert.StartsWith("https://", spec.Repository);
            Assert.Equal("README.md", spec.Readme);
            Assert.True(File.Exists(Path.Combine(Feed, $"{library}.{version}.snupkg")), $"{library} has no symbol package (.snupkg)");
        }
        Assert.Equal(Libraries.Length, specs.Values.Select(s => s.Description).Distinct().Count());
        using (var actors = ZipFile.OpenRead(PackageOf("EventEngine.Actors")))
        {
            Assert.NotNull(actors.GetEntry("lib/net10.0/EventEngine.Actors.xml"));
            Assert.Equal(File.ReadAllText(Path.Combine(ProgramRunner.RepoRoot, "hocon", "event-engine.conf")),
                EmbeddedResource(actors.GetEntry("lib/net10.0/EventEngine.Actors.dll")!, "EventEngine.Actors.reference.conf"));
        }

        var consumer = WriteConsumer(version);
        await Dotnet($"build \"{consumer}\" -c Release -nologo", _work, "building the quick start against the packed packages");
    }

    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    /// <summary>A solution filter of the libraries, so that one dotnet pack (one MSBuild run) packs them all.</summary>
    private string LibrariesFilter()
    {
        var filter = Path.Combine(_work, "libraries.slnf");
        var projects = string.Join(", ", Libraries.Select(l => $"\"src/{l}/{l}.csproj\""));
        var solution = Path.Combine(ProgramRunner.RepoRoot, "EventEngine.Actors.sln").Replace("\\", "/");
        File.WriteAllText(filter, $$"""{ "solution": { "path": "{{solution}}", "projects": [{{projects}}] } }""");
        return filter;
    }

    private string PackageOf(string library) =>
        Directory.GetFiles(Feed, $"{library}.*.nupkg").Single(p => !p.EndsWith(".snupkg") && char.IsDigit(Path.GetFileName(p)[library.Length + 1]));

    /// <summary>The quick start's Program.cs in a project outside the repository that takes EventEngine.* from the feed only.</summary>
    private string WriteConsumer(string version)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_work, "consumer")).FullName;
        File.Copy(Path.Combine(ProgramRunner.RepoRoot, "example", "EventEngine.QuickStart", "Program.cs"), Path.Combine(dir, "Program.cs"));
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(_work, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="EventEngine.Actors" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        // EventEngine.* only from the packed feed; everything else from this machine's package cache (a folder feed), offline.
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{Feed}" />
                <add key="cache" value="{GlobalPackages()}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="packed"><package pattern="EventEngine.*" /></packageSource>
                <packageSource key="cache"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        return Path.Combine(dir, "Consumer.csproj");
    }

    private static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static async Task Dotnet(string arguments, string workingDirectory, string what)
    {
        var (exit, stdout, stderr) = await ProgramRunner.RunProcessAsync("dotnet", arguments, StepTimeout, workingDirectory);
        Assert.True(exit == 0, $"{what} failed (exit {exit}): dotnet {arguments}\n{stdout}\n{stderr}");
    }

    private static (string Version, string License, string Description, string Repository, string Readme) Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Of(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        var repository = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("url")?.Value ?? "";
        return (Of("version"), Of("license"), Of("description"), repository, Of("readme"));
    }

    private static string EmbeddedResource(ZipArchiveEntry dll, string name)
    {
        using var copy = new MemoryStream();
        using (var stream = dll.Open()) stream.CopyTo(copy);
        copy.Position = 0;
        using var pe = new PEReader(copy);
        var reader = pe.GetMetadataReader();
        var resource = reader.ManifestResources.Select(reader.GetManifestResource).SingleOrDefault(r => reader.GetString(r.Name) == name);
        Assert.True(!resource.Name.IsNil, $"{dll.FullName} does not embed {name}");
        var section = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress);
        var blob = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
        var length = blob.ReadInt32();
        return System.Text.Encoding.UTF8.GetString(blob.ReadBytes(length)).TrimStart('\uFEFF');
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
