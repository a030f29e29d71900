using System.Runtime.InteropServices;

namespace EventEngine.Actors.Security;

/// <summary>How many more file descriptors this process may open (Linux: RLIMIT_NOFILE minus /proc/self/fd).</summary>
internal static class FileDescriptors
{
    private const int RlimitNofile = 7;

    /// <summary>Descriptors left before EMFILE; <see cref="int.MaxValue"/> where the platform does not tell.</summary>
    public static int Headroom()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNofile, out var limit) != 0 || limit.Current > int.MaxValue) return int.MaxValue;
        try
        {
            return (int)limit.Current - Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return int.MaxValue;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);
}
