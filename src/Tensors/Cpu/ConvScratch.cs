using System.Runtime.InteropServices;

namespace NativeCam.Tensors;

/// <summary>
/// Per-thread scratch of the convolution paths (im2col panels, packed gradient windows, GEMM results): a few
/// 64-byte-aligned native buffers per thread that grow to the largest request and are reused by every later
/// call on that thread, so the hot paths never allocate. Freed when the thread (and so this object) dies.
/// </summary>
internal sealed unsafe class ConvScratch
{
    /// <summary>The buffers a conv task may hold at once: an im2col/col2im panel, a packed gradient window, a phase
    /// plane; and the one a conv call's own thread holds across its tasks: the indirect GEMM's copy of the input.</summary>
    public const int Panel = 0, Packed = 1, Plane = 2, Input = 3;

    [ThreadStatic] static ConvScratch? _mine;

    readonly float*[] _buffers = new float*[4];
    readonly long[] _capacity = new long[4];

    /// <summary>This thread's buffer <paramref name="slot"/> with room for at least <paramref name="floats"/> floats
    /// (contents undefined; valid until this thread asks for the same slot again).</summary>
    public static float* Get(int slot, long floats)
    {
        var s = _mine ??= new ConvScratch();
        if (s._capacity[slot] < floats)
        {
            NativeMemory.AlignedFree(s._buffers[slot]);
            long grown = Math.Max(floats, s._capacity[slot] * 3 / 2);
            s._buffers[slot] = (float*)NativeMemory.AlignedAlloc((nuint)(grown * sizeof(float)), 64);
            s._capacity[slot] = grown;
        }
        return s._buffers[slot];
    }

    ~ConvScratch()
    {
        foreach (var p in _buffers) NativeMemory.AlignedFree(p);
    }
}
