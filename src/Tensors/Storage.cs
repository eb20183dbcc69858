using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

/// <summary>A pooled device buffer shared by a tensor and its views; goes back to the pool when the last user lets go.</summary>
internal sealed class Storage
{
    readonly BufferPool _pool;
    MemoryBuffer1D<float, Stride1D.Dense>? _buffer;
    int _refs = 1;

    public Storage(Device device, long elements)
    {
        Device = device;
        _pool = device.Pool;
        _buffer = _pool.Rent(elements);
    }

    public Device Device { get; }

    public ArrayView<float> View => (_buffer ?? throw new ObjectDisposedException(nameof(Tensor))).View;

    public void AddRef() => Interlocked.Increment(ref _refs);

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) != 0) return;
        var b = _buffer;
        _buffer = null;
        if (b != null) _pool.Return(b);
    }
}
