using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// pytorch-grad-cam's eigen_smooth for any layer method (docs/cam.md, "eigen_smooth"): instead of summing the method's
/// weighted activations X[k] [C, h, w] over channels, project them on their first principal component (EigenCAM's
/// <see cref="ICamKernels.EigenProjection"/>, with its sign convention), then ReLU. X is w_kc · A_c for the channel-weight
/// methods (Grad-CAM, Grad-CAM++, XGrad-CAM, CAM, Score-CAM, Ablation-CAM), ReLU(G) ⊙ A for LayerCAM, G ⊙ A for
/// HiResCAM, ReLU(G ⊙ A) for Grad-CAM element-wise. X is built on the host; the projection runs on the device.
/// </summary>
static class EigenSmoothing
{
    /// <summary>X[k, c, p] = w[k, c] · A[c, p] for channel weights [K, C].</summary>
    public static float[] Weighted(float[] a, float[] weights, int k, int c)
    {
        int p = a.Length / c;
        var x = new float[k * a.Length];
        for (int t = 0; t < k; t++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < p; i++) x[(t * c + ch) * p + i] = weights[t * c + ch] * a[ch * p + i];
        return x;
    }

    /// <summary>X of a per-pixel method from A [C · P] and G [K · C · P].</summary>
    public static float[] Elementwise(CamMethod method, float[] a, float[] g)
    {
        var x = new float[g.Length];
        for (int j = 0; j < g.Length; j++)
        {
            float ai = a[j % a.Length];
            x[j] = method switch
            {
                CamMethod.LayerCam => Math.Max(g[j], 0f) * ai,
                CamMethod.HiResCam => g[j] * ai,
                CamMethod.GradCamElementWise => Math.Max(g[j] * ai, 0f),
                _ => throw new ArgumentException($"CAM: eigen_smooth has no per-pixel rule for {method}"),
            };
        }
        return x;
    }

    /// <summary>map [K, h, w] = ReLU(first principal component projection of each X[k]).</summary>
    public static void Project(ICamKernels kernels, float[] x, int k, int c, Tensor map, int iterations)
    {
        var device = map.Device;
        int p = x.Length / (k * c);
        using var weighted = Tensor.FromArray(device, x, [k, c, p]);
        using var scratch = Tensor.Empty(device, IlgpuCamKernels.EigenScratch(k, c, p));
        kernels.EigenProjection(weighted, c, p, map, iterations, scratch);
        device.Synchronize(); // the uploads are freed on return
    }
}
