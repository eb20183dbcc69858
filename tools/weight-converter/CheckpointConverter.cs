using NativeCam.Weights.Format;
using NativeCam.Weights.Torch;

namespace NativeCam.Weights;

/// <summary>What a conversion produced.</summary>
public sealed record ConversionResult(string OutputPath, WeightMetadata Metadata, int TensorCount, long ElementCount, long OutputBytes);

/// <summary>PyTorch checkpoint -> NativeCam weight file, streamed tensor by tensor, written atomically.</summary>
public static class CheckpointConverter
{
    /// <summary>The default output path: the input's path with a .msgpack extension.</summary>
    public static string DefaultOutputPath(string checkpointPath) => Path.ChangeExtension(checkpointPath, ".msgpack");

    public static ConversionResult Convert(string checkpointPath, string outputPath, ConvertOptions? options = null)
    {
        options ??= ConvertOptions.Default;
        using var checkpoint = TorchCheckpoint.Open(checkpointPath);
        using var output = new AtomicFile(outputPath);
        var writer = new WeightFileWriter(output.Stream, checkpoint.Metadata, checkpoint.Tensors.Count);
        long elements = 0;
        checkpoint.ReadTensors(options, (name, dtype, shape, data) =>
        {
            writer.WriteTensor(name, dtype, shape, data);
            elements += data.Length / DTypes.SizeOf(dtype);
        });
        writer.Complete();
        long bytes = output.Stream.Length;
        output.Commit();
        return new ConversionResult(Path.GetFullPath(outputPath), checkpoint.Metadata, checkpoint.Tensors.Count, elements, bytes);
    }
}
