using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// Class-activation maps for YOLOv5 detections: the family-free <see cref="CamEngine"/> through a
/// <see cref="YoloCamAdapter"/>. One forward pass, one backward sweep for all K targets, every requested method at
/// every requested layer.
/// </summary>
public sealed class YoloCam(YoloModel model)
{
    /// <summary>What the core knows of this YOLOv5: layer names, the default layers, the seeds.</summary>
    public YoloCamAdapter Adapter { get; } = new(model);

    /// <summary>The network explained.</summary>
    public YoloModel Model => Adapter.Model;

    /// <summary>The layer feeding Detect level <paramref name="level"/>: <c>model.{Detect.From[level]}</c>.</summary>
    public string AutoLayer(int level) => Adapter.AutoLayer(level);

    /// <summary>Maps for <paramref name="targets"/> on the letterboxed input [1, 3, H, W].</summary>
    public CamResult Compute(Tensor input, YoloTargets targets, CamRequest? request = null)
    {
        if (targets.Count == 0) throw new ArgumentException("CAM: no targets (one per detection is needed)");
        return Compute(input, _ => targets, request);
    }

    /// <summary>
    /// Maps for targets chosen from this very forward pass: <paramref name="chooseTargets"/> sees the raw Detect
    /// outputs (e.g. decodes and runs NMS on them) and returns the targets, so detection and CAM share one forward.
    /// With <c>auto</c> layers, every layer feeding a Detect level is watched, since the levels are not known yet.
    /// No targets: an empty result (no backward is run).
    /// </summary>
    public CamResult Compute(Tensor input, Func<Var[], YoloTargets> chooseTargets, CamRequest? request = null) =>
        CamEngine.Compute(Adapter, input, chooseTargets, request);

    /// <summary>
    /// The classic YOLOv5 feature visualisation: the first <paramref name="count"/> channels of
    /// <paramref name="layer"/> tiled ⌈√count⌉ columns wide, each channel min-max normalised: [rows·h, cols·w].
    /// </summary>
    public Tensor FeatureGrid(Tensor input, string layer, int count) => CamEngine.FeatureGrid(Adapter, input, layer, count);
}
