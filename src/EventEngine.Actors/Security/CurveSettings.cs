using Akka.Configuration;
using NetMQ;

namespace EventEngine.Actors.Security;

/// <summary>
/// CURVE encryption of every TCP endpoint of the engine (<c>event-engine.security.curve</c>): the bridge's
/// publish and subscribe ports and every external plugin's port. The engine is the CURVE server; a client must
/// know the server's public key (<see cref="PublicKeyZ85"/>) to connect.
/// </summary>
/// <remarks>
/// NetMQ implements CURVE but not ZAP, so the engine cannot check a client's key: any client that knows the
/// server's public key is accepted. CURVE gives confidentiality and integrity on the wire and authenticates the
/// engine to its clients, not the clients to the engine (see the README's Security section).
/// </remarks>
public sealed record CurveSettings
{
    private CurveSettings(bool enabled, byte[]? secretKey, byte[]? publicKey)
    {
        Enabled = enabled;
        SecretKey = secretKey;
        PublicKey = publicKey;
    }

    /// <summary>CURVE off: every endpoint speaks plain ZMTP (the original's behaviour).</summary>
    public static CurveSettings Disabled { get; } = new(false, null, null);

    /// <summary>True when every TCP endpoint is a CURVE server.</summary>
    public bool Enabled { get; }

    /// <summary>
    /// Connections each CURVE endpoint's gate serves at once (<c>security.curve.max-connections</c>); past it a connection
    /// is refused, counted in <c>event_engine.connections.refused</c> (reason <c>connection-cap</c>) and logged.
    /// </summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>The server's 32-byte secret key (null when disabled).</summary>
    internal byte[]? SecretKey { get; }

    /// <summary>The server's 32-byte public key (null when disabled).</summary>
    public byte[]? PublicKey { get; }

    /// <summary>The server's public key in Z85 (40 characters), as clients take it; null when disabled.</summary>
    public string? PublicKeyZ85 => PublicKey is null ? null : Z85.Encode(PublicKey);

    /// <summary>CURVE on with the given server key pair (the public key is derived from the secret key when null).</summary>
    /// <exception cref="ArgumentException">A key is not 32 bytes, or the public key does not belong to the secret key.</exception>
    public static CurveSettings Server(byte[] secretKey, byte[]? publicKey = null)
    {
        if (secretKey is not { Length: 32 }) throw new ArgumentException("a CURVE secret key has 32 bytes", nameof(secretKey));
        var derived = NetMQCertificate.CreateFromSecretKey(secretKey).PublicKey;
        if (publicKey is not null && !publicKey.AsSpan().SequenceEqual(derived))
            throw new ArgumentException("the CURVE public key does not belong to the secret key", nameof(publicKey));
        return new CurveSettings(true, (byte[])secretKey.Clone(), derived);
    }

    /// <summary>Reads <c>security.curve</c> of the engine's section; keys are Z85 (40 characters) or base64 (44).</summary>
    /// <exception cref="EventEngineException">Enabled without a usable key; the message names the setting, never the key.</exception>
    public static CurveSettings From(Config section)
    {
        const string path = "security.curve";
        if (!section.HasPath($"{path}.enabled") || !section.GetBoolean($"{path}.enabled")) return Disabled;
        var secret = Key(section, $"{path}.server-secret-key", required: true)!;
        var @public = Key(section, $"{path}.server-public-key", required: false);
        try
        {
            return Server(secret, @public) with { MaxConnections = MaxConnectionsAt(section, $"{path}.max-connections") };
        }
        catch (ArgumentException)
        {
            throw new EventEngineException($"event-engine.{path}.server-public-key does not belong to event-engine.{path}.server-secret-key");
        }
    }

    /// <summary>Makes <paramref name="socket"/> a CURVE server with these keys (before it binds). Does nothing when disabled.</summary>
    internal void Apply(NetMQSocket socket)
    {
        if (!Enabled) return;
        socket.Options.CurveServer = true;
        socket.Options.CurveCertificate = new NetMQCertificate(SecretKey!, PublicKey!);
    }

    private static int MaxConnectionsAt(Config section, string path)
    {
        if (!section.HasPath(path)) return 1000;
        var value = Configuration.Setting.Int(section, path);
        return value >= 1 ? value : throw Configuration.Setting.Invalid(section, path, "a whole number of at least 1");
    }

    /// <summary>Never shows the secret key.</summary>
    public override string ToString() => Enabled ? $"CurveSettings {{ Enabled = True, PublicKey = {PublicKeyZ85} }}" : "CurveSettings { Enabled = False }";

    private static byte[]? Key(Config section, string path, bool required)
    {
        var text = section.HasPath(path) ? section.GetString(path)?.Trim() : null;
        if (string.IsNullOrEmpty(text))
            return required ? throw new EventEngineException($"event-engine.{path} is required when event-engine.security.curve.enabled = on (32 bytes as Z85, 40 characters, or base64, 44)") : null;
        try
        {
            var key = text.Length switch
            {
                40 => Z85.Decode(text),
                44 => Convert.FromBase64String(text),
                _ => null,
            };
            if (key is { Length: 32 }) return key;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            // reported below, without the key
        }
        throw new EventEngineException($"event-engine.{path} is not a 32-byte CURVE key in Z85 (40 characters) or base64 (44 characters)");
    }
}

/// <summary>Z85 (ZeroMQ RFC 32), the text form of CURVE keys.</summary>
internal static class Z85
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    public static string Encode(byte[] data)
    {
        if (data.Length % 4 != 0) throw new ArgumentException("Z85 encodes whole 4-byte groups", nameof(data));
        var chars = new char[data.Length / 4 * 5];
        for (int i = 0, c = 0; i < data.Length; i += 4)
        {
            var value = (uint)(data[i] << 24 | data[i + 1] << 16 | data[i + 2] << 8 | data[i + 3]);
            for (var j = 4; j >= 0; j--)
            {
                chars[c + j] = Alphabet[(int)(value % 85)];
                value /= 85;
            }
            c += 5;
        }
        return new string(chars);
    }

    /// <exception cref="FormatException">Not Z85.</exception>
    public static byte[] Decode(string text)
    {
        if (text.Length % 5 != 0) throw new FormatException("Z85 text comes in whole 5-character groups");
        var bytes = new byte[text.Length / 5 * 4];
        for (int i = 0, b = 0; i < text.Length; i += 5)
        {
            ulong value = 0;
            for (var j = 0; j < 5; j++)
            {
                var digit = Alphabet.IndexOf(text[i + j]);
                if (digit < 0) throw new FormatException("not a Z85 character");
                value = value * 85 + (ulong)digit;
            }
            if (value > uint.MaxValue) throw new FormatException("Z85 group out of range");
            bytes[b++] = (byte)(value >> 24);
            bytes[b++] = (byte)(value >> 16);
            bytes[b++] = (byte)(value >> 8);
            bytes[b++] = (byte)value;
        }
        return bytes;
    }
}
