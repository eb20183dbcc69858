using System.Buffers.Binary;
using System.Text;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>safetensors files crafted here: honest dtypes and shapes, then every header lie refused with one line.</summary>
public class SafetensorsTests
{
    /// <summary>8-byte little-endian header length, the header, the data.</summary>
    private static byte[] File(string header, byte[] data, ulong? claimedLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    private static WeightFile Load(byte[] file)
    {
        using var dir = new TempFolder();
        string path = dir.File("model.safetensors");
        System.IO.File.WriteAllBytes(path, file);
        return WeightFile.Load(path, new ConvertOptions { KeepHalf = true });
    }

    [Fact]
    public void Dtypes_shapes_and_scalars_are_read()
    {
        var data = new byte[8 + 2 + 8 + 1];
        BinaryPrimitives.WriteInt64LittleEndian(data, -3);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(8), (Half)0.5);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(10), 1.25f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(14), -4f);
        data[18] = 1;
        var file = File("""
            {"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[1,1],"data_offsets":[8,10]},
             "f":{"dtype":"F32","shape":[2],"data_offsets":[10,18]},"b":{"dtype":"BOOL","shape":[1],"data_offsets":[18,19]},
             "e":{"dtype":"F32","shape":[0,4],"data_offsets":[19,19]},"__metadata__":{"format":"pt"}}
            """, data);

        var w = Load(file);

        Assert.Equal(["n", "h", "f", "b", "e"], w.Tensors.Select(t => t.Name));
        Assert.Equal([-3f], w["n"].ToFloat32());
        Assert.Equal("float16", w["h"].DType);
        Assert.Equal([1, 1], w["h"].Shape);
        Assert.Equal([0.5f], w["h"].ToFloat32());
        Assert.Equal([1.25f, -4], w["f"].ToFloat32());
        Assert.Equal([1f], w["b"].ToFloat32());
        Assert.Equal([0, 4], w["e"].Shape);
        Assert.Equal(SourceFormats.Safetensors, w.Metadata.Source.Format);
    }

    [Fact]
    public void Overlapping_offsets_are_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]),
        "tensor 'b' starts at byte 4, inside 'a' which ends at 8 (overlapping offsets)");

    [Fact]
    public void Offsets_past_the_data_are_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]),
        "tensor 'a' ends at byte 16 but the data section holds 8 bytes (offsets out of range)");

    [Fact]
    public void Offsets_leaving_a_gap_are_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]),
        "bytes 0 to 4 of the data section belong to no tensor (gap in offsets)");

    [Fact]
    public void Byte_count_differing_from_the_shape_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]),
        "tensor 'a' of shape [3] F32 needs 12 bytes but its data_offsets span 8");

    [Fact]
    public void Shape_whose_size_overflows_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}""", new byte[8]),
        "tensor 'a' has an absurdly large shape");

    [Fact]
    public void Huge_header_length_is_refused_before_allocating() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4], claimedLength: 1UL << 62),
        "safetensors header length 4611686018427387904 exceeds the 100000000-byte limit (hostile?)");

    [Fact]
    public void Header_length_past_the_file_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4], claimedLength: 1 << 20),
        "safetensors header length 1048576 runs past the end of the");

    [Fact]
    public void A_name_given_twice_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]),
        "the header names 'a' twice");

    [Fact]
    public void Unknown_dtype_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""", new byte[4]),
        "tensor 'a' has dtype 'F8_E4M3', which NativeCam does not read");

    [Fact]
    public void Broken_json_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]""", new byte[4]),
        "the safetensors header is not valid JSON");

    [Fact]
    public void Deeply_nested_json_is_refused() => HostileCheckpointTests.ConvertExpectingRefusal(
        File("{\"__metadata__\":" + new string('[', 5000) + new string(']', 5000) + "}", []),
        "the safetensors header is not valid JSON");
}
