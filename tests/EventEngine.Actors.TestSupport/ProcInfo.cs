using System.Globalization;
using System.Net;

namespace EventEngine.Actors.TestSupport;

/// <summary>What Linux's /proc says about a process: liveness, threads, open files, peak RSS, listening TCP sockets.</summary>
public static class ProcInfo
{
    /// <summary>True while the process exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A field of /proc/PID/status in kB (VmHWM: peak RSS, VmRSS: RSS now).</summary>
    public static long StatusKb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The TCP sockets process <paramref name="pid"/> listens on (address and port), IPv4 and IPv6.</summary>
    public static List<IPEndPoint> ListeningSockets(int pid)
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)) inodes.Add(target[8..^1]);
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }
        var found = new List<IPEndPoint>();
        foreach (var (file, v6) in new[] { ("/proc/net/tcp", false), ("/proc/net/tcp6", true) })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f[3] != "0A" || !inodes.Contains(f[9])) continue; // 0A = LISTEN
                var (hex, port) = (f[1].Split(':')[0], int.Parse(f[1].Split(':')[1], NumberStyles.HexNumber));
                found.Add(new IPEndPoint(Address(hex, v6), port));
            }
        }
        return found;
    }

    // /proc/net/tcp prints addresses as 32-bit words in host (little-endian) order.
    private static IPAddress Address(string hex, bool v6)
    {
        var bytes = new byte[v6 ? 16 : 4];
        for (var word = 0; word < bytes.Length / 4; word++)
        for (var i = 0; i < 4; i++)
            bytes[word * 4 + i] = byte.Parse(hex.AsSpan(word * 8 + (3 - i) * 2, 2), NumberStyles.HexNumber);
        return new IPAddress(bytes);
    }
}
