using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// Akka.Remote's TLS between nodes, as docs/cluster.md tells users to turn it on across machines: nodes with a
/// certificate form a cluster and carry events; a node speaking plain TCP cannot join them.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string Password = "test-only";
    private readonly string _certificate = Path.Combine(Path.GetTempPath(), $"eventengine-tls-{Guid.NewGuid():N}.pfx");

    public TlsTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(_certificate, certificate.Export(X509ContentType.Pfx, Password));
    }

    // Self-signed, so validation is suppressed here; across machines use a certificate your CA signed and keep it on.
    private string Tls => $$"""
        akka.remote.dot-netty.tcp {
          enable-ssl = on
          ssl {
            suppress-validation = on
            certificate { path = "{{_certificate}}", password = "{{Password}}" }
          }
        }
        """;

    [Fact]
    public async Task Nodes_with_tls_form_a_cluster_and_carry_events_and_a_node_without_it_cannot_join()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { }, Tls);
        await using var subscription = await cluster[1].Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(cluster[0], nodes: 1);
        for (var i = 0; i < 100; i++) await cluster[0].Publisher.PublishAsync(new TypeX(i));
        await CrossNodeRoutingTests.ExpectInOrder(subscription, 100, "events between TLS nodes");

        var plain = ActorSystem.Create("events", InProcessCluster.NodeConfig());
        try
        {
            var failures = new AssociationFailures(plain);
            // The TLS node's host and port with the plain scheme (its own address, akka.ssl.tcp://, names a transport
            // the plain node does not have): plain TCP reaches the TLS port, and the handshake fails.
            var tls = Akka.Cluster.Cluster.Get(cluster[0].System).SelfAddress;
            Assert.Equal("akka.ssl.tcp", tls.Protocol);
            var tlsNode = new Address("akka.tcp", tls.System, tls.Host, tls.Port);
            Akka.Cluster.Cluster.Get(plain).Join(tlsNode);
            await Wait.Until(() => failures.With(tlsNode) >= 2, () => $"two failed associations of the plain node with {tlsNode} ({failures.With(tlsNode)} so far)");
            Assert.Equal(2, Akka.Cluster.Cluster.Get(cluster[0].System).State.Members.Count);
            Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(plain).SelfMember.Status);
        }
        finally
        {
            await plain.Terminate();
        }
    }

    public void Dispose() => File.Delete(_certificate);

    /// <summary>Counts the association errors Akka.Remote publishes on a system's event stream, by remote address.</summary>
    private sealed class AssociationFailures
    {
        private readonly List<Address> _failed = [];

        public AssociationFailures(ActorSystem system) =>
            system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new Listener(this))), typeof(AssociationErrorEvent));

        public int With(Address remote)
        {
            lock (_failed) return _failed.Count(a => a == remote);
        }

        private sealed class Listener : ReceiveActor
        {
            public Listener(AssociationFailures failures) => Receive<AssociationErrorEvent>(e =>
            {
                lock (failures._failed) failures._failed.Add(e.RemoteAddress);
            });
        }
    }
}
