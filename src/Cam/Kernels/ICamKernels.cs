using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// The device kernels behind every CAM method (docs/cam.md has the formulas). Shapes: a layer's activation
/// A is [C, P] (one image, P = h·w pixels), its gradient G is [K, C, P] (K targets from one backward sweep),
/// a map is [K, P]. Every method writes into tensors the caller allocated and never reads back to the host,
/// so a whole CAM is a short queue of launches. Implemented by <see cref="IlgpuCamKernels"/> (GPUs, ILGPU's CPU
/// accelerator) and <see cref="CpuCamKernels"/> (the SIMD CPU backend); <see cref="CamKernels.For"/> picks one.
/// </summary>
public interface ICamKernels
{
    /// <summary>
    /// Channel weights w[k, c] from A and G: Grad-CAM: mean_p G; Grad-CAM++: Σ_p α·max(G, 0) with
    /// α = G² / (2G² + S_c·G³ + ε), S_c = Σ_p A[c, p], α = 0 where the denominator (or, with ε, G) is zero;
    /// XGrad-CAM: Σ_p A·G / S_c, 0 where S_c = 0. Other methods are refused.
    /// </summary>
    void ChannelWeights(CamMethod method, Tensor a, Tensor g, Tensor weights, float epsilon);

    /// <summary>map[k, p] = max(Σ_c w[k, c] · A[c, p], 0); weights [K, C], map [K, ..] of K·P values.</summary>
    void WeightedSum(Tensor a, Tensor weights, Tensor map);

    /// <summary>Per-pixel weightings: LayerCAM map = max(Σ_c max(G, 0)·A, 0); HiResCAM map = max(Σ_c G·A, 0);
    /// Grad-CAM element-wise map = Σ_c max(G·A, 0).</summary>
    void PixelSum(CamMethod method, Tensor a, Tensor g, Tensor map);

    /// <summary>x[k, c, p] = A[c, p] · G[k, c, p] (EigenGrad-CAM's matrix).</summary>
    void Product(Tensor a, Tensor g, Tensor x);

    /// <summary>
    /// EigenCAM's projection for each of the K matrices X[k] ([C, P], read as P samples of C features):
    /// centre the columns (μ_c = mean_p X), v = first eigenvector of the covariance Σ_p (X − μ)(X − μ)ᵀ by
    /// <paramref name="iterations"/> power-iteration steps from v = 1, projection q_p = Σ_c (X[c, p] − μ_c)·v_c,
    /// sign flipped so that the entry of largest magnitude (the first, on ties) is positive, map = max(q, 0).
    /// <paramref name="scratch"/> holds K·(C² + 3C + 1) + K·P floats.
    /// </summary>
    void EigenProjection(Tensor x, int channels, int pixels, Tensor map, int iterations, Tensor scratch);

    /// <summary>range[k] = (min_p map[k, p], max_p map[k, p]); maps of P pixels each.</summary>
    void MapRange(Tensor map, int pixels, Tensor range);

    /// <summary>
    /// The first <paramref name="count"/> channels of A [C, h, w] tiled row-major into
    /// grid [rows·h, cols·w], each channel min-max normalised to [0, 1] (a constant channel gives 0,
    /// unused cells 0).
    /// </summary>
    void FeatureGrid(Tensor a, int height, int width, int count, int rows, int cols, Tensor grid, Tensor scratch);

    /// <summary>
    /// Guided Grad-CAM: out[k, c, y, x] = gb[k, c, y, x] · up(cam[k])[y, x], up = bilinear resize of the
    /// [h, w] map to [H, W] with half-pixel centres (PyTorch's align_corners=False, OpenCV's INTER_LINEAR).
    /// </summary>
    void GuidedProduct(Tensor gb, Tensor cam, int camHeight, int camWidth, Tensor output);

    /// <summary>
    /// Writes the K backward seeds of one output [1, channels, ny, nx] of a group of outputs, for scores that are one
    /// logit or a product of two sigmoids of logits at one pixel: seed [K, |o|] is zeroed, then each target whose
    /// output index is <paramref name="level"/> gets d(score)/d(logit). Mode 0 (score = scale·z) seeds channel b
    /// with its scale; mode 1 (score = scale·σ(a)·σ(b)) seeds channel a with scale·σ(a)(1 − σ(a))σ(b) and channel b
    /// with scale·σ(a)σ(b)(1 − σ(b)), the logits read from <paramref name="output"/>. <paramref name="table"/> holds
    /// per target (output index, channel a, channel b, pixel y·nx + x, mode), <paramref name="scales"/> one scale per
    /// target. YOLO's adapter uses it with a = objectness, b = class, mode 1 for its confidence score.
    /// </summary>
    void Seeds(Tensor output, Tensor table, Tensor scales, int level, Tensor seed);

    /// <summary>
    /// Score-CAM's mask ranges: range[c] = (min, max) over the [<paramref name="height"/>, <paramref name="width"/>]
    /// pixels of channel c of A [1, C, h, w] resized bilinearly with aligned corners (PyTorch's UpsamplingBilinear2d).
    /// </summary>
    void UpsampledRange(Tensor a, int height, int width, Tensor range);

    /// <summary>
    /// Score-CAM's masked inputs: output[b, ch, y, x] = image[ch, y, x] · (up(A[first + b])[y, x] − min) / (max − min + 1e-8)
    /// for the output's B rows, up the aligned-corner resize of <see cref="UpsampledRange"/> and (min, max) its range.
    /// </summary>
    void ScoreMasks(Tensor image, Tensor a, int first, Tensor range, Tensor output);
}
