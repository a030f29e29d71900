using System.Buffers;
using MessagePack;
using MessagePack.Resolvers;

namespace EventEngine.Actors.Codecs;

/// <summary>
/// The default codec: MessagePack maps keyed by property name, so a Python peer reads an event as a
/// dict. Payloads are decoded with MessagePack's untrusted-data security, since they may come from
/// outside the process.
/// </summary>
public sealed class MessagePackEventCodec<T> : IEventCodec<T> where T : notnull
{
    /// <summary>Options used when none are given: contract-less (property names as keys), untrusted data.</summary>
    public static readonly MessagePackSerializerOptions DefaultOptions =
        ContractlessStandardResolver.Options.WithSecurity(MessagePackSecurity.UntrustedData);

    // Null for the defaults: DefaultOptions (MessagePack's resolvers) are then first built when an event is first
    // encoded or decoded, not when its type is registered, so an engine whose events never leave the process never
    // pays for them at start-up.
    private readonly MessagePackSerializerOptions? _options;

    /// <summary>Creates the codec with <see cref="DefaultOptions"/> or the given options.</summary>
    public MessagePackEventCodec(MessagePackSerializerOptions? options = null) => _options = options;

    /// <inheritdoc />
    public void Encode(T value, IBufferWriter<byte> payload) => MessagePackSerializer.Serialize(payload, value, _options ?? DefaultOptions);

    /// <inheritdoc />
    public T Decode(ReadOnlyMemory<byte> payload) => MessagePackSerializer.Deserialize<T>(payload, _options ?? DefaultOptions);
}
