using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Matrix product with PyTorch's batching: [.., M, K] @ [K, N] (the weight is shared by every batch),
    /// [M, K] @ [.., K, N], and [.., M, K] @ [.., K, N] with equal batch dimensions. transposeA/B read the
    /// last two dimensions of an operand transposed without copying it (q @ kᵀ, x @ Wᵀ).
    /// </summary>
    public static Var MatMul(Var a, Var b, bool transposeA = false, bool transposeB = false)
    {
        var p = MatMulPlan.Of(a.Shape, b.Shape, transposeA, transposeB);
        var y = Tensor.Empty(a.Device, p.OutShape);
        Gemm(a.Value, p.A, b.Value, p.B, y, MatrixLayout.RowMajor(p.Batch, p.M, p.N), p.Batch, p.M, p.K, p.N);
        return Tape.Current.Record(y, () => new MatMulNode(a, b, p), a, b);
    }

    /// <summary>nn.Linear: y = x @ weightᵀ + bias with weight [out, in] (read transposed in place), x [.., in].</summary>
    public static Var Linear(Var x, Var weight, Var? bias = null)
    {
        if (weight.Shape.Length != 2 || x.Shape.Length < 1 || x.Shape[^1] != weight.Shape[1])
            throw new ArgumentException($"linear: input {Tensor.Format(x.Shape)} does not match weight {Tensor.Format(weight.Shape)} ([out, in])");
        if (bias != null && (bias.Shape.Length != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"linear: bias {Tensor.Format(bias.Shape)} does not match weight {Tensor.Format(weight.Shape)}");
        // A 1-D input is one row: view it as [1, in] and drop the row again.
        var rows = x.Shape.Length == 1 ? Reshape(x, 1, x.Shape[0]) : x;
        var y = MatMul(rows, weight, transposeB: true);
        if (bias != null) y = Add(y, bias);
        return x.Shape.Length == 1 ? Reshape(y, weight.Shape[0]) : y;
    }

    /// <summary>C = A @ B through layouts; an empty inner dimension gives zeros.</summary>
    static void Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n)
    {
        if (k == 0) c.Device.Backend.Fill(c, 0f);
        else c.Device.Backend.Gemm(a, la, b, lb, c, lc, batch, m, k, n);
    }

    /// <summary>
    /// How a matmul maps onto one batched GEMM. A [.., M, K] @ [K, N] product folds the batch into M (one
    /// tall GEMM, the weight read once per row tile); otherwise batch = the product of the batch dimensions and
    /// the operand without them has Batches = 1.
    /// </summary>
    sealed record MatMulPlan(int Batch, int M, int K, int N, MatrixLayout A, MatrixLayout B, int[] OutShape,
        int ARows, int ACols, int BRows, int BCols, bool TransposeA, bool TransposeB)
    {
        public static MatMulPlan Of(int[] a, int[] b, bool transposeA, bool transposeB)
        {
            string what = $"matmul {Tensor.Format(a)}{(transposeA ? "ᵀ" : "")} @ {Tensor.Format(b)}{(transposeB ? "ᵀ" : "")}";
            if (a.Length < 2 || b.Length < 2) throw new ArgumentException($"{what}: both operands need at least 2 dimensions");
            int aRows = a[^2], aCols = a[^1], bRows = b[^2], bCols = b[^1];
            var (m, k) = transposeA ? (aCols, aRows) : (aRows, aCols);
            var (kb, n) = transposeB ? (bCols, bRows) : (bRows, bCols);
            if (k != kb) throw new ArgumentException($"{what}: inner dimensions {k} and {kb} differ");
            int[] aBatch = a[..^2], bBatch = b[..^2];
            if (aBatch.Length > 0 && bBatch.Length > 0 && !aBatch.SequenceEqual(bBatch))
                throw new ArgumentException($"{what}: batch dimensions must be equal, or one operand 2-D");
            int[] batchDims = aBatch.Length > 0 ? aBatch : bBatch;
            int[] outShape = [.. batchDims, m, n];
            int batch = Tensor.ShapeLength(batchDims);
            int aBatches = aBatch.Length > 0 ? batch : 1, bBatches = bBatch.Length > 0 ? batch : 1;
            if (bBatch.Length == 0 && !transposeA)
            {
                // Fold the batch into the rows of A: [batch·M, K] @ [K, N] is one contiguous matrix.
                aRows *= batch;
                m = aRows;
                batch = aBatches = 1;
            }
            var la = MatrixLayout.RowMajor(aBatches, aRows, aCols);
            var lb = MatrixLayout.RowMajor(bBatches, bRows, bCols);
            return new MatMulPlan(batch, m, k, n, transposeA ? la.Transposed : la, transposeB ? lb.Transposed : lb, outShape,
                aRows, aCols, bRows, bCols, transposeA, transposeB);
        }
    }

    /// <summary>
    /// dA = dC @ op(B)ᵀ and dB = op(A)ᵀ @ dC, each one GEMM over the K·batch gradient matrices with the saved
    /// operand read modulo its batches. The gradient is written in the operand's storage layout (so a
    /// transposed operand gets a transposed store). An operand shared by all batches (Batches = 1 while
    /// batch &gt; 1) first gets per-batch products in a temporary, then a sum over the batch.
    /// </summary>
    sealed class MatMulNode(Var a, Var b, MatMulPlan p) : Node(a, b)
    {
        public override string Op => "MatMul";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy), products = k * p.Batch;
            var lg = MatrixLayout.RowMajor(products, p.M, p.N);
            if (a.RequiresGrad)
                tape.AddGrad(a, OperandGrad(a, k, p.A.Batches, p.ARows, p.ACols, p.TransposeA,
                    (g, lc) => Gemm(gy, lg, b.Value, p.B.Transposed, g, lc, products, p.M, p.N, p.K)));
            if (b.RequiresGrad)
                tape.AddGrad(b, OperandGrad(b, k, p.B.Batches, p.BRows, p.BCols, p.TransposeB,
                    (g, lc) => Gemm(a.Value, p.A.Transposed, gy, lg, g, lc, products, p.K, p.M, p.N)));
        }

        /// <summary>
        /// Runs <paramref name="gemm"/> into a gradient for an operand stored as [batches, rows, cols] (read
        /// transposed if <paramref name="transposed"/>) and returns it as [K, ..x.Shape].
        /// </summary>
        Tensor OperandGrad(Var x, int k, int batches, int rows, int cols, bool transposed, Action<Tensor, MatrixLayout> gemm)
        {
            var gx = GradLike(x, k);
            int products = k * p.Batch;
            var storage = MatrixLayout.RowMajor(products, rows, cols);
            var lc = transposed ? storage.Transposed : storage;
            if (batches == p.Batch)
            {
                gemm(gx, lc);
                return gx;
            }
            using var perBatch = Tensor.Empty(x.Device, products, rows, cols);
            gemm(perBatch, lc);
            Backend(x).Reduce(ReduceOp.Sum, perBatch, gx, k, p.Batch, rows * cols);
            return gx;
        }
    }
}
