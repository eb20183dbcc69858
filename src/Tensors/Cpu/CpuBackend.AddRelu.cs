using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

// A residual add and the ReLU after it in one pass (ResNet's block tail): the sum is never written out and read
// back. The same float sum and the same ReLU (ReluFn: x > 0 ? x : 0) as Binary(Add) then Unary(Relu), so the
// result is bit for bit that of the two passes.
public sealed unsafe partial class CpuBackend
{
    public void AddRelu(Tensor a, Tensor b, Tensor y)
    {
        SameLength(a, b, "add + relu");
        SameLength(a, y, "add + relu");
        if (a.Length == 0) return;
        Simd.For(_width, a.Length, ElementsPerRange, new AddReluKernel(a.Pointer, b.Pointer, y.Pointer));
    }
}

/// <summary>y = max(a + b, 0) over a range of elements, whole vectors then one partial vector.</summary>
internal readonly unsafe struct AddReluKernel(float* a, float* b, float* y) : ISimdKernel
{
    readonly float* _a = a, _b = b, _y = y;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        var relu = new ReluFn();
        int i = start;
        for (; i <= end - V.Count; i += V.Count) V.Store(relu.Apply(V.Load(_a + i) + V.Load(_b + i)), _y + i);
        if (i < end) V.StorePartial(relu.Apply(V.LoadPartial(_a + i, end - i, 0f) + V.LoadPartial(_b + i, end - i, 0f)), _y + i, end - i);
    }
}
