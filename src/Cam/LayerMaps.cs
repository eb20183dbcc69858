using ILGPU.Runtime;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>The methods' arithmetic at one watched layer: activation and gradient → maps and ranges, on the device.</summary>
static class LayerMaps
{
    /// <summary>One method's maps [K, h, w] and ranges at one layer. A missing gradient is a zero gradient.</summary>
    /// <param name="classWeights">The original CAM's channel weights [K, C] (<see cref="CamMethod.Cam"/> only).</param>
    public static CamMap Compute(ICamKernels kernels, CamMethod method, string layer, Tensor a, Tensor? g, int k, CamRequest request,
        Tensor? classWeights = null)
    {
        var device = a.Device;
        int c = a.Shape[1], h = a.Shape[2], w = a.Shape[3], p = h * w;
        var map = Tensor.Empty(device, k, h, w);
        var range = Tensor.Empty(device, k, 2);
        try
        {
            if (request.EigenSmooth && method is not (CamMethod.EigenCam or CamMethod.EigenGradCam))
            {
                float[] x;
                if (method is CamMethod.LayerCam or CamMethod.HiResCam or CamMethod.GradCamElementWise)
                    x = EigenSmoothing.Elementwise(method, a.ToArray(), g?.ToArray() ?? new float[k * a.Length]);
                else
                {
                    using var weights = Tensor.Zeros(device, k, c);
                    if (method == CamMethod.Cam)
                        weights.View.CopyFrom((classWeights ?? throw new ArgumentException($"CAM: method cam at {layer} needs the class weights")).View);
                    else if (g != null) kernels.ChannelWeights(method, a, g, weights, request.GradCamPlusPlusEpsilon);
                    x = EigenSmoothing.Weighted(a.ToArray(), weights.ToArray(), k, c);
                }
                EigenSmoothing.Project(kernels, x, k, c, map, request.PowerIterations);
            }
            else if (method == CamMethod.Cam)
                kernels.WeightedSum(a, classWeights ?? throw new ArgumentException($"CAM: method cam at {layer} needs the class weights"), map);
            else if (g is null && method != CamMethod.EigenCam) device.Backend.Fill(map, 0f);
            else switch (method)
            {
                case CamMethod.GradCam or CamMethod.GradCamPlusPlus or CamMethod.XGradCam:
                {
                    using var weights = Tensor.Empty(device, k, c);
                    kernels.ChannelWeights(method, a, g!, weights, request.GradCamPlusPlusEpsilon);
                    kernels.WeightedSum(a, weights, map);
                    break;
                }
                case CamMethod.LayerCam or CamMethod.HiResCam or CamMethod.GradCamElementWise:
                    kernels.PixelSum(method, a, g!, map);
                    break;
                case CamMethod.EigenCam:
                {
                    // Target-independent: one projection of A, copied to every target's slot.
                    using var scratch = Tensor.Empty(device, IlgpuCamKernels.EigenScratch(1, c, p));
                    using var first = map.Slice(0, 1, h, w);
                    kernels.EigenProjection(a, c, p, first, request.PowerIterations, scratch);
                    for (int i = 1; i < k; i++)
                    {
                        using var slot = map.Slice(i * p, 1, h, w);
                        slot.View.CopyFrom(first.View);
                    }
                    break;
                }
                default: // EigenGradCam
                {
                    using var product = Tensor.Empty(device, k, c, h, w);
                    kernels.Product(a, g!, product);
                    using var scratch = Tensor.Empty(device, IlgpuCamKernels.EigenScratch(k, c, p));
                    kernels.EigenProjection(product, c, p, map, request.PowerIterations, scratch);
                    break;
                }
            }
            kernels.MapRange(map, p, range);
            return new CamMap(layer, method, map, range);
        }
        catch
        {
            map.Dispose();
            range.Dispose();
            throw;
        }
    }
}
