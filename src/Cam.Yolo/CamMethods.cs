using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// The Python libraries' shape of API: <c>var cam = new GradCam(model, layers); var maps = cam.Compute(image, targets);</c>.
/// Each class is one method at the given layers (default <c>auto</c>); <see cref="YoloCam"/> computes several
/// methods from one backward sweep.
/// </summary>
public abstract class YoloCamMethod(YoloModel model, CamMethod method, IReadOnlyList<string> layers)
{
    readonly YoloCam _cam = new(model);

    public CamMethod Method { get; } = method;
    public IReadOnlyList<string> Layers { get; } = layers.Count == 0 ? [CamRequest.Auto] : layers;

    /// <summary>Maps [K, h, w] per layer for <paramref name="targets"/> on the letterboxed image [1, 3, H, W].</summary>
    public CamResult Compute(Tensor image, YoloTargets targets) =>
        _cam.Compute(image, targets, new CamRequest { Methods = [Method], Layers = Layers });
}

/// <summary>Grad-CAM (Selvaraju et al.): channel weights = the spatial mean of the gradient.</summary>
public sealed class GradCam(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.GradCam, layers);
/// <summary>Grad-CAM++ (Chattopadhay et al.): channel weights from second- and third-order gradient terms.</summary>
public sealed class GradCamPlusPlus(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.GradCamPlusPlus, layers);
/// <summary>XGrad-CAM (Fu et al.): channel weights = the activation-weighted mean of the gradient.</summary>
public sealed class XGradCam(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.XGradCam, layers);
/// <summary>LayerCAM (Jiang et al.): ReLU(gradient) × activation, summed over channels.</summary>
public sealed class LayerCam(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.LayerCam, layers);
/// <summary>HiResCAM (Draelos and Carin): gradient × activation, summed over channels.</summary>
public sealed class HiResCam(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.HiResCam, layers);
/// <summary>EigenCAM (Muhammad and Yeasin): the first principal component of the activations (no gradient).</summary>
public sealed class EigenCam(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.EigenCam, layers);
/// <summary>EigenGrad-CAM: the first principal component of gradient × activation.</summary>
public sealed class EigenGradCam(YoloModel model, params string[] layers) : YoloCamMethod(model, CamMethod.EigenGradCam, layers);
