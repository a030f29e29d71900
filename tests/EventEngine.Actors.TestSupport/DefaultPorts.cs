namespace EventEngine.Actors.TestSupport;

/// <summary>
/// For the README's programs, which bind the engine's default ports (5559, 5560) as a user's would: one of them at a
/// time on this machine, across test processes, through an exclusive lock file.
/// </summary>
public static class DefaultPorts
{
    private static readonly string LockFile = Path.Combine(Path.GetTempPath(), "event-engine-default-ports.lock");

    /// <summary>Takes the lock (waiting up to <paramref name="timeout"/>, default 2 minutes); dispose to release it.</summary>
    public static IDisposable Lock(TimeSpan? timeout = null)
    {
        var deadline = Deadline.In(timeout ?? TimeSpan.FromMinutes(2), $"the lock on the default ports ({LockFile})");
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                deadline.ThrowIfPassed();
                Thread.Sleep(100);
            }
        }
    }
}
