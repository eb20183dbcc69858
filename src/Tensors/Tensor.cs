using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

/// <summary>
/// A contiguous float32 array on a device with a shape (NCHW for images, [B, T, C] for tokens).
/// Reshape returns a view over the same storage; memory returns to the device's pool when the
/// tensor and all its views are disposed.
/// </summary>
public sealed class Tensor : IDisposable
{
    readonly Storage _storage;
    readonly int _offset;
    bool _disposed;

    public int[] Shape { get; }
    public int Length { get; }
    public Device Device => _storage.Device;
    public int Rank => Shape.Length;

    Tensor(Storage storage, int offset, int[] shape)
    {
        _storage = storage;
        _offset = offset;
        Shape = shape;
        Length = ShapeLength(shape);
    }

    /// <summary>The tensor's elements as an ILGPU view (for kernels).</summary>
    public ArrayView<float> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _storage.View.SubView(_offset, Length);
        }
    }

    /// <summary>
    /// The first element in host memory, for the SIMD CPU backend. Only valid on a CPU device, whose buffers
    /// are plain host memory; ILGPU kernel launches there complete before they return, so no sync is needed.
    /// </summary>
    internal unsafe float* Pointer
    {
        get
        {
            if (!Device.IsCpu) throw new InvalidOperationException("host pointers exist only on a CPU device");
            return (float*)View.LoadEffectiveAddressAsPtr();
        }
    }

    /// <summary>Uninitialised tensor (NaN-filled when the pool poisons rented buffers).</summary>
    public static Tensor Empty(Device device, params int[] shape)
    {
        var t = new Tensor(new Storage(device, Math.Max(1, ShapeLength(shape))), 0, (int[])shape.Clone());
        if (device.Pool.PoisonOnRent) device.Backend.Fill(t, float.NaN);
        return t;
    }

    public static Tensor Zeros(Device device, params int[] shape) => Full(device, 0f, shape);

    public static Tensor Full(Device device, float value, params int[] shape)
    {
        var t = new Tensor(new Storage(device, Math.Max(1, ShapeLength(shape))), 0, (int[])shape.Clone());
        device.Backend.Fill(t, value);
        return t;
    }

    public static Tensor FromArray(Device device, ReadOnlySpan<float> data, params int[] shape)
    {
        if (data.Length != ShapeLength(shape))
            throw new ArgumentException($"{data.Length} values do not fill shape {Format(shape)}");
        var t = new Tensor(new Storage(device, Math.Max(1, data.Length)), 0, (int[])shape.Clone());
        t.CopyFrom(data);
        return t;
    }

    /// <summary>Overwrites this tensor (or the view it is) with <paramref name="data"/>, straight from the span: no
    /// managed copy of it is made (a K-target seed can be tens of MB).</summary>
    public void CopyFrom(ReadOnlySpan<float> data)
    {
        if (data.Length != Length) throw new ArgumentException($"{data.Length} values do not fill {Format(Shape)}");
        if (Length > 0) View.CopyFromCPU(data);
    }

    /// <summary>Loads fp16 weights, widening to float32 on the host (exact: every half is a float).</summary>
    public static Tensor FromHalf(Device device, ReadOnlySpan<System.Half> data, params int[] shape)
    {
        var wide = new float[data.Length];
        for (int i = 0; i < wide.Length; i++) wide[i] = (float)data[i];
        return FromArray(device, wide, shape);
    }

    /// <summary>Copies the tensor to a new host array (waits for pending kernels).</summary>
    public float[] ToArray()
    {
        var host = new float[Length];
        if (Length > 0) View.CopyToCPU(host);
        return host;
    }

    /// <summary>A view with another shape over the same elements; one dimension may be -1.</summary>
    public Tensor Reshape(params int[] shape)
    {
        shape = ResolveShape(shape, Length);
        _storage.AddRef();
        return new Tensor(_storage, _offset, shape);
    }

    /// <summary>A view of elements [start, start + count) of the flat array with the given shape.</summary>
    public Tensor Slice(int start, params int[] shape)
    {
        int count = ShapeLength(shape);
        if (start < 0 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + count}) outside {Length} elements");
        _storage.AddRef();
        return new Tensor(_storage, _offset + start, (int[])shape.Clone());
    }

    /// <summary>A new tensor holding a copy of this one.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(new Storage(Device, Math.Max(1, Length)), 0, (int[])Shape.Clone());
        if (Length > 0) t.View.CopyFrom(View);
        return t;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _storage.Release();
    }

    public static int ShapeLength(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has more than 2^31 elements");
        }
        return (int)n;
    }

    static int[] ResolveShape(int[] shape, int length)
    {
        shape = (int[])shape.Clone();
        int free = Array.IndexOf(shape, -1);
        if (free >= 0)
        {
            int known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != free) known *= shape[i];
            if (known == 0 || length % known != 0) throw new ArgumentException($"cannot reshape {length} elements to {Format(shape)}");
            shape[free] = length / known;
        }
        if (ShapeLength(shape) != length) throw new ArgumentException($"cannot reshape {length} elements to {Format(shape)}");
        return shape;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public override string ToString() => $"Tensor{Format(Shape)}";
}
