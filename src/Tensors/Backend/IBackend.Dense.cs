namespace NativeCam.Tensors;

/// <summary>
/// Where the matrices of a batch live in a flat buffer: element [b, r, c] of matrix b is at
/// (b mod Batches)·BatchStride + r·RowStride + c·ColStride. Swapping the two strides is a free
/// transpose; Batches = 1 with any batch index reuses one matrix for every batch (a weight, or a
/// saved forward operand shared by the K targets of a backward pass).
/// </summary>
public readonly struct MatrixLayout(int batches, int batchStride, int rowStride, int colStride)
{
    public readonly int Batches = batches, BatchStride = batchStride, RowStride = rowStride, ColStride = colStride;

    /// <summary>Row-major [batches, rows, cols].</summary>
    public static MatrixLayout RowMajor(int batches, int rows, int cols) => new(batches, rows * cols, cols, 1);

    /// <summary>The same matrices read transposed (no copy).</summary>
    public MatrixLayout Transposed => new(Batches, BatchStride, ColStride, RowStride);

    /// <summary>The same matrices with another batch count (e.g. K·B for the targets of a gradient).</summary>
    public MatrixLayout WithBatches(int batches) => new(batches, BatchStride, RowStride, ColStride);

    /// <summary>Largest flat index touched by a [rows, cols] view (strides are non-negative).</summary>
    internal long MaxIndex(int rows, int cols) =>
        (long)(Batches - 1) * BatchStride + (long)(rows - 1) * RowStride + (long)(cols - 1) * ColStride;
}

/// <summary>Reductions over one run of axes.</summary>
public enum ReduceOp { Sum, Mean, Max }

public partial interface IBackend
{
    /// <summary>
    /// Batched GEMM: C[b] = A[b] @ B[b] for b &lt; <paramref name="batch"/>, A[b] being [m, k], B[b] [k, n] and
    /// C[b] [m, n], each read or written through its <see cref="MatrixLayout"/> (batch index modulo each
    /// operand's own Batches). C is overwritten and must not overlap A or B. Backward passes use the same method: dA = dC @ Bᵀ and
    /// dB = Aᵀ @ dC with transposed layouts, the K targets being extra batches of dC and C.
    /// </summary>
    void Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n);

    /// <summary>Row-wise softmax over the last axis of length <paramref name="n"/>: y = exp(x − max) / Σ exp(x − max).</summary>
    void Softmax(Tensor x, Tensor y, int n);

    /// <summary>
    /// gx = y ⊙ (gy − Σ_row gy ⊙ y) per row of length <paramref name="n"/>; gy and gx hold K·|y| elements and
    /// the saved output y is indexed modulo its length.
    /// </summary>
    void SoftmaxBackward(Tensor y, Tensor gy, Tensor gx, int n);

    /// <summary>
    /// y = (x − mean) · rstd · gamma + beta per row of length n = |gamma|, rstd = 1/√(biased var + eps).
    /// Writes stats[row] = (mean, rstd) ([rows, 2]) for the backward pass.
    /// </summary>
    void LayerNorm(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor stats, float eps);

    /// <summary>
    /// gx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)) per row with g = gy ⊙ gamma and x̂ = (x − mean)·rstd;
    /// gy and gx hold K·|x| elements, x and stats are indexed modulo their length.
    /// </summary>
    void LayerNormBackward(Tensor x, Tensor gamma, Tensor stats, Tensor gy, Tensor gx);

    /// <summary>
    /// Per-target gradients of the affine parameters: ggamma[k, j] = Σ_rows gy[k, row, j] · x̂[row, j] and
    /// gbeta[k, j] = Σ_rows gy[k, row, j]; each is [K, n].
    /// </summary>
    void LayerNormBackwardAffine(Tensor x, Tensor stats, Tensor gy, Tensor ggamma, Tensor gbeta);

    /// <summary>
    /// Reduces x viewed as [outer, reduced, inner] over its middle axis into y ([outer, inner]):
    /// the sum, the mean, or the maximum.
    /// </summary>
    void Reduce(ReduceOp op, Tensor x, Tensor y, int outer, int reduced, int inner);

    /// <summary>
    /// gx[k, o, r, i] = gy[k, o, i] (Sum), gy[k, o, i] / reduced (Mean), or gy[k, o, i] where r is the first
    /// maximal element of x[o, :, i] and 0 elsewhere (Max). gy holds K·outer·inner elements, gx K·|x|.
    /// </summary>
    void ReduceBackward(ReduceOp op, Tensor x, Tensor gy, Tensor gx, int outer, int reduced, int inner);

    /// <summary>
    /// Strided copy over an index space of up to 8 dimensions: for every index (i0..ir) of
    /// <paramref name="shape"/>, dst[dstOffset + Σ i_d·dstStrides[d]] = src[srcOffset + Σ i_d·srcStrides[d]].
    /// Permute (src strides permuted), narrow (src offset) and their backward passes (dst strides of the
    /// input, K as a leading dimension) are all this copy. Elements of dst it does not address are left as they are.
    /// </summary>
    void StridedCopy(Tensor src, Tensor dst, int[] shape, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset);
}
