namespace NativeCam.Tensors;

/// <summary>Pointwise binary operations with a broadcast right operand.</summary>
public enum BinaryOp { Add, Mul }

public partial interface IBackend
{
    /// <summary>y = f(x). x and y have the same length.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f);

    /// <summary>gx = gy · f'(x); gy and gx hold K·|x| elements, x is indexed modulo its length.</summary>
    void UnaryBackward(UnaryOp op, Tensor x, Tensor gy, Tensor gx, float alpha = 1f);

    /// <summary>Guided backpropagation's rule: gx = max(gy, 0) · f'(x), K·|x| elements as in <see cref="UnaryBackward"/>.</summary>
    void UnaryBackwardGuided(UnaryOp op, Tensor x, Tensor gy, Tensor gx);

    /// <summary>y = max(a + b, 0) elementwise (x &gt; 0 ? x : 0, as Relu) for a, b, y of one length, in one pass: a
    /// residual add with the ReLU after it. Equal, bit for bit, to Binary(Add) then Unary(Relu).</summary>
    void AddRelu(Tensor a, Tensor b, Tensor y);

    /// <summary>
    /// y[i] = a[i] op b[(i / inner) mod |b|]. inner = 1 with |b| = |a| is the plain elementwise case;
    /// inner = H·W with |b| = C broadcasts a per-channel vector over NCHW; inner = 1 with |b| dividing
    /// |a| repeats b over leading dimensions (a position embedding over the batch).
    /// </summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y, int inner);

    /// <summary>
    /// Gradient of the broadcast operand: gb[k, j] = Σ over i of target k with (i / inner) mod |b| = j of
    /// gy[k, i] · (op is Mul ? a[i] : 1). gy holds K·|a| elements, gb K·|b|.
    /// </summary>
    void BinaryBackwardB(BinaryOp op, Tensor a, Tensor gy, Tensor gb, int inner);

    /// <summary>Gradient of the full operand of a Mul: ga[i] = gy[i] · b[(i mod |a| / inner) mod |b|].</summary>
    void MulBackwardA(Tensor b, Tensor gy, Tensor ga, int aLength, int inner);
}
