using System.Runtime;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>
/// Warm-up that shows what it warmed: .NET compiles a method first quickly (tier 0), then again, optimised, on a
/// background thread once it has run often enough. During an engine's first seconds those recompiles take a core of this
/// 2-core machine away from the process under test, so latency figures of a warm engine are taken after them.
/// </summary>
public static class JitWarmUp
{
    /// <summary>
    /// Runs <paramref name="round"/> <paramref name="rounds"/> times; returns how many methods the JIT compiled during
    /// each (for the log: the counts fall as the code settles).
    /// </summary>
    public static async Task<IReadOnlyList<long>> Run(Func<Task> round, int rounds)
    {
        var compiled = new List<long>();
        for (var i = 0; i < rounds; i++)
        {
            var before = JitInfo.GetCompiledMethodCount();
            await round();
            compiled.Add(JitInfo.GetCompiledMethodCount() - before);
        }
        return compiled;
    }
}
