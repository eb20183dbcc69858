namespace NativeCam.Tensors;

/// <summary>
/// The kernels the engine needs, one family per file (this interface is partial). Every method
/// writes into tensors the caller allocated, never reads back to the host, and may run
/// asynchronously. Backward methods accept a gradient with a leading batch of K targets:
/// gradients are K times longer than the forward tensors they belong to, and forward tensors are
/// indexed modulo their length (see docs/autograd.md). Implementations: <see cref="IlgpuBackend"/>
/// (CUDA, OpenCL, ILGPU CPU); a SIMD CPU backend can implement the same contract.
/// </summary>
public partial interface IBackend
{
    /// <summary>Sets every element of <paramref name="t"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor t, float value);

    /// <summary>dst += src (same length).</summary>
    void Accumulate(Tensor src, Tensor dst);

    /// <summary>dst[j] = Σ_k src[k*dst.Length + j]: folds a leading batch (the K targets) into one.</summary>
    void SumLeading(Tensor src, Tensor dst);
}
