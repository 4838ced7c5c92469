using System.Text;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansExemplars.Grains;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Storage;

/// <summary>
/// The readers of <see cref="FileGrainStorage"/>'s files over random bytes and damaged files: <see cref="GrainStateFile"/>
/// reads its header or throws <see cref="GrainStateFileFormatException"/>; every damage to a version 2 file is caught;
/// and Orleans' deserializer behind <see cref="DecodingGrainStorageSerializer"/>, given damaged ring states, yields a
/// ring or <see cref="CorruptGrainStateException"/>, nothing else.
/// </summary>
public sealed class GrainStateFileFuzzTests : IDisposable
{
    private static readonly byte[] State = Encoding.UTF8.GetBytes("ring");
    private static readonly byte[] Type = Encoding.UTF8.GetBytes("metric");

    private static readonly Gen<(byte[] Key, Guid ETag, byte[] Payload)> GenContent =
        Gen.Select(Gen.String[0, 40].Select(Encoding.UTF8.GetBytes), Gen.Guid, Gen.Byte.Array[0, 600]);

    private static byte[] Version2((byte[] Key, Guid ETag, byte[] Payload) c) =>
        [.. GrainStateFile.Header(c.ETag, State, Type, c.Key, c.Payload), .. c.Payload];

    /// <summary>The first layout, as FileGrainStorage wrote it before the checksums: no CRCs, magic version 1.</summary>
    private static byte[] Version1((byte[] Key, Guid ETag, byte[] Payload) c)
    {
        var file = new List<byte>("OEGS\u0001"u8.ToArray());
        file.AddRange(c.ETag.ToByteArray());
        foreach (var part in new[] { State, Type, c.Key })
        {
            file.AddRange(BitConverter.GetBytes((ushort)part.Length));
            file.AddRange(part);
        }
        file.AddRange(BitConverter.GetBytes(c.Payload.Length));
        file.AddRange(c.Payload);
        return file.ToArray();
    }

    /// <summary>Content of grain "m", whose reads the fuzzed files are checked by (so damage reaches past the identity).</summary>
    private static readonly Gen<(byte[] Key, Guid ETag, byte[] Payload)> GenContentOfM =
        Gen.Select(Gen.Guid, Gen.Byte.Array[0, 600]).Select((etag, payload) => ("m"u8.ToArray(), etag, payload));

    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(MetricRingState).Assembly))
        .BuildServiceProvider();

    [Fact]
    public void Both_versions_read_back_their_etag_and_payload() =>
        GenContent.Sample(c =>
        {
            foreach (var file in new[] { Version2(c), Version1(c) })
            {
                var (etag, offset) = GrainStateFile.Read(file, State, Type, c.Key);
                Assert.Equal(c.ETag, etag);
                Assert.Equal(c.Payload, file[offset..]);
                Assert.Equal(c.ETag, GrainStateFile.ReadETag(file.AsSpan(0, GrainStateFile.PrefixBytes)));
            }
        }, iter: 2_000);

    [Fact]
    public void Damaged_files_fail_with_GrainStateFileFormatException() =>
        DecoderFuzz.OnlyThrows<GrainStateFileFormatException>(
            DecoderFuzz.Around(Gen.Frequency((1, GenContentOfM.Select(Version1)), (2, GenContentOfM.Select(Version2)))),
            file =>
            {
                GrainStateFile.ReadETag(file);
                GrainStateFile.Read(file, State, Type, "m"u8);
            }, iter: 30_000);

    [Fact]
    public void Every_single_bit_flip_of_a_version_2_file_is_caught() =>
        Gen.Select(GenContent, Gen.Int.NonNegative, Gen.Int[0, 7]).Sample((c, at, bit) =>
        {
            var file = Version2(c);
            file[at % file.Length] ^= (byte)(1 << bit);
            Assert.Throws<GrainStateFileFormatException>(() => GrainStateFile.Read(file, State, Type, c.Key));
        }, iter: 10_000);

    [Fact]
    public void Damaged_ring_states_fail_with_CorruptGrainStateException_through_Orleans_deserializer()
    {
        var serializer = new DecodingGrainStorageSerializer(new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()));
        var states = Gen.Select(Gen.Int[0, 30], Gen.Byte.Array[16].Array[0, 30]).Select((capacity, ids) =>
        {
            var ring = new ExemplarRing(capacity);
            for (var i = 0; i < ids.Length; i++)
            {
                ring.Append(LabelSet.From(("__name__", "m"), ("i", (i % 3).ToString())),
                    new Exemplar(LabelSet.From(("trace_id", Convert.ToHexStringLower(ids[i]))), i, 1_000 + i, true));
            }
            return serializer.Serialize(new MetricRingState { Snapshot = ExemplarRingSnapshot.Write(ring) }).ToArray();
        });
        DecoderFuzz.OnlyThrows<CorruptGrainStateException>(DecoderFuzz.Around(states),
            bytes => serializer.Deserialize<MetricRingState>(new BinaryData(bytes))?.TakeRing(10), iter: 20_000);
    }

    public void Dispose() => _services.Dispose();
}
