using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.FaultTests;

/// <summary>A C# record with every MessagePack type a Python plugin sends through <c>publish_event</c>.</summary>
public sealed record Reading(string Sensor, double Value, long Count, bool Ok, DateTime At, int[] Samples,
    Dictionary<string, string> Tags, string? Note, byte[] Raw);

/// <summary>Records every Reading.</summary>
public sealed class ReadingCollector : EventPlugin
{
    public ReadingCollector(Received<Reading> received) => Subscribe<Reading>(received.Add);
}

/// <summary>pyevents' <c>publish_event</c> from a real Python process, decoded by the engine into the C# record.</summary>
public sealed class PythonEventTests
{
    private const string Publisher = """
        import datetime, sys
        from pyevents import EngineClient
        with EngineClient(int(sys.argv[1]), host="127.0.0.1", reply_timeout=20, linger=5) as client:
            client.publish_event("Reading", {
                "Sensor": "lab-ß", "Value": -21.5, "Count": 2**40, "Ok": True,
                "At": datetime.datetime(2026, 11, 28, 10, 15, 30, 123456, tzinfo=datetime.timezone.utc),
                "Samples": [1, -2, 300000], "Tags": {"room": "B12"}, "Note": None, "Raw": b"\x00\xff\x80",
            })
        print("published", flush=True)
        """;

    [Fact]
    public async Task A_python_publish_event_decodes_into_the_csharp_record_with_every_messagepack_type_including_datetime()
    {
        var received = new Received<Reading>();
        using var files = new TempFiles();
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, []).AddPlugin<ReadingCollector>("Readings", received));

        using var python = ChildProcess.Python(Paths.Script(files, Publisher), [t.PortOf("Py").ToString()]);
        Assert.Equal(0, await python.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("published", python.Output);
        await Wait.Until(() => received.Count > 0, () => "the Reading at the C# plugin\n" + t.Log.Dump());

        var reading = Assert.Single(received.Items);
        Assert.Equal("lab-ß", reading.Sensor);
        Assert.Equal(-21.5, reading.Value);
        Assert.Equal(1L << 40, reading.Count);
        Assert.True(reading.Ok);
        Assert.Equal(new DateTime(2026, 11, 28, 10, 15, 30, DateTimeKind.Utc).AddTicks(1_234_560), reading.At); // microseconds kept
        Assert.Equal(DateTimeKind.Utc, reading.At.Kind);
        Assert.Equal([1, -2, 300000], reading.Samples);
        Assert.Equal(new Dictionary<string, string> { ["room"] = "B12" }, reading.Tags);
        Assert.Null(reading.Note);
        Assert.Equal([0x00, 0xFF, 0x80], reading.Raw);
        Assert.Equal(0, t.Metrics.Sum("event_engine.events.undecodable"));
    }
}
