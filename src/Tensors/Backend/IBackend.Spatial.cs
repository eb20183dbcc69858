namespace NativeCam.Tensors;

/// <summary>
/// How a 2-D convolution slides its kernel: stride and zero padding per axis, and the number of groups
/// (channels are split into <c>Groups</c> independent blocks; Groups = Cin = Cout is depth-wise).
/// The kernel size comes from the weight tensor.
/// </summary>
public readonly record struct ConvGeometry(int StrideH, int StrideW, int PadH, int PadW, int Groups = 1);

public partial interface IBackend
{
    /// <summary>
    /// y[n, co, oy, ox] = bias[co] + Σ_{ci in co's group, ky, kx} w[co, ci, ky, kx] · x[n, g·Cin/G + ci, oy·sh − ph + ky, ox·sw − pw + kx]
    /// (positions outside the image read zero). x [B, Cin, H, W], w [Cout, Cin/G, kh, kw], bias [Cout] or null,
    /// y [B, Cout, OH, OW] with OH = (H + 2ph − kh)/sh + 1 (and OW likewise). B is any batch: conv2d's forward
    /// (B = N) and ConvTranspose2d's input gradient (B = K·N) are this same computation.
    /// </summary>
    void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g);

    /// <summary>
    /// <see cref="Conv2d"/> into <paramref name="y"/> and a pointwise activation of it into <paramref name="activated"/>
    /// (activated = act(y), as <see cref="IBackend.Unary"/> with alpha 1) in one pass: the forward of every
    /// conv → act block. A backend may compute the activation on each output tile while it is still in cache.
    /// Both outputs are written (the activation's backward needs y); <paramref name="y"/> may be
    /// <paramref name="activated"/> itself when only the activated result is wanted (an inference pass).
    /// </summary>
    void Conv2dActivation(Tensor x, Tensor w, Tensor? bias, Tensor y, Tensor activated, ConvGeometry g, UnaryOp act);

    /// <summary>
    /// The transposed correlation: gx[b, ci, iy, ix] = Σ over co in ci's group and taps (ky, kx) with
    /// oy·sh = iy + ph − ky, ox·sw = ix + pw − kx inside the output of gy[b, co, oy, ox] · w[co, ci mod Cin/G, ky, kx].
    /// gy [B, Cout, OH, OW], gx [B, Cin, H, W] (shapes may carry a leading K: only the element counts matter).
    /// This is conv2d's input gradient (B = K·N) and ConvTranspose2d's forward (B = N).
    /// </summary>
    void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, ConvGeometry g);

    /// <summary>
    /// Weight gradient per target: gw[k, co, ci, ky, kx] = Σ over target k's N images n and output pixels of
    /// gy[k·N + n, co, oy, ox] · x[k·N + n, g·Cin/G + ci, oy·sh − ph + ky, ox·sw − pw + kx]. gw is [K, Cout, Cin/G, kh, kw].
    /// x [Bx, Cin, H, W] and gy [By, Cout, OH, OW] each hold N or K·N images; the one with N images is shared by
    /// all targets (conv2d: x is the forward input, N; ConvTranspose2d: gy is its forward input, N, and x its output gradient, K·N).
    /// Equal batches mean both hold K·N images.
    /// </summary>
    void Conv2dBackwardWeight(Tensor x, Tensor gy, Tensor gw, ConvGeometry g);

    /// <summary>
    /// y[b, c, oy, ox] = max over the k×k window at (oy·s − p, ox·s − p) of x (padding never wins: −∞).
    /// x [B, C, H, W], y [B, C, OH, OW] with OH = (H + 2p − k)/s + 1, or with <paramref name="ceilMode"/> PyTorch's
    /// ceil_mode size (<see cref="PoolGeometry"/>: the last window may run past the padded input and is clipped).
    /// </summary>
    void MaxPool2d(Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode = false);

    /// <summary>
    /// For each output of MaxPool2d, the position of its maximum inside the image plane (iy·W + ix, stored as
    /// a float; exact below 2^24). Ties go to the first maximum in row-major window order, as PyTorch.
    /// x [B, C, H, W], argmax [B, C, OH, OW].
    /// </summary>
    void MaxPool2dArgmax(Tensor x, Tensor argmax, int kernel, int stride, int padding, bool ceilMode = false);

    /// <summary>
    /// gx[b, c, iy, ix] = Σ over the windows (oy, ox) whose argmax is (iy, ix) of gy[b, c, oy, ox] (a gather: each
    /// input element owns its sum). gy [K·B, C, OH, OW], gx [K·B, C, H, W]; argmax [B, C, OH, OW] from the forward
    /// input is indexed per image modulo B.
    /// </summary>
    void MaxPool2dBackward(Tensor argmax, Tensor gy, Tensor gx, int kernel, int stride, int padding, bool ceilMode = false);

    /// <summary>Nearest upsampling by an integer factor: y[b, c, oy, ox] = x[b, c, oy/s, ox/s]. x [B, C, H, W], y [B, C, H·s, W·s].</summary>
    void Upsample(Tensor x, Tensor y, int scale);

    /// <summary>gx[b, c, iy, ix] = Σ_{dy, dx &lt; s} gy[b, c, iy·s + dy, ix·s + dx]; gy [B, C, H·s, W·s], gx [B, C, H, W], B any batch (K·N).</summary>
    void UpsampleBackward(Tensor gy, Tensor gx, int scale);

    /// <summary>
    /// Copies a slab of <paramref name="channels"/> channels: src viewed as [B, srcChannels, inner] from channel
    /// srcOffset, into dst viewed as [B, dstChannels, inner] at channel dstOffset. Both hold the same B. Concat's
    /// forward (each input into the output) and backward (each input's slice out of the K·N-image gradient).
    /// </summary>
    void CopyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int channels, int inner);
}
