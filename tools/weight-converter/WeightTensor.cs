namespace NativeCam.Weights;

/// <summary>
/// One named tensor on the host: dtype name, shape and contiguous row-major little-endian bytes.
/// The engine usually wants <see cref="ToFloat32"/> and <see cref="Shape"/>.
/// </summary>
public sealed class WeightTensor
{
    public WeightTensor(string name, string dtype, int[] shape, ReadOnlyMemory<byte> data)
    {
        if (!DTypes.IsKnown(dtype)) throw new WeightFormatException($"tensor '{name}' has unknown dtype '{dtype}'");
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new WeightFormatException($"tensor '{name}' has a negative dimension");
            count = checked(count * d);
        }
        if (count * DTypes.SizeOf(dtype) != data.Length)
            throw new WeightFormatException($"tensor '{name}' has {data.Length} bytes of data for shape [{string.Join(", ", shape)}] of {dtype}");
        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
        ElementCount = count;
    }

    /// <summary>state_dict name, e.g. "model.24.m.0.weight".</summary>
    public string Name { get; }

    /// <summary>One of <see cref="DTypes"/>: "float32", "float16", "int64", ...</summary>
    public string DType { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>Elements in row-major order, little-endian.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public long ElementCount { get; }

    /// <summary>The elements as a new float32 array, whatever the stored dtype.</summary>
    public float[] ToFloat32()
    {
        var values = new float[ElementCount];
        ElementValues.ToFloat32(DType, Data.Span, values);
        return values;
    }

    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}]";
}
