using NativeCam.Detectors;
using NativeCam.Imaging;

namespace NativeCam.Cam.Detectors;

/// <summary>Detect and explain with RetinaNet in one forward: every kept detection a target of one K-target backward sweep.</summary>
public static class RetinaCam
{
    /// <summary>The detections of <paramref name="image"/> and their maps (the caller disposes the result).</summary>
    public static (IReadOnlyList<RetinaDetection> Detections, RcnnInput Input, CamResult Maps) Explain(RetinaNet model, RgbImage image,
        CamRequest? request = null, RcnnScore score = RcnnScore.Logit)
    {
        var input = RcnnTransform.Apply(image, model.Options.Transform);
        var adapter = new RetinaCamAdapter(model, input);
        using var x = adapter.InputTensor();
        var maps = CamEngine.Compute(adapter, x, _ => new RetinaTargets(adapter.Pass!.Detections, score), request);
        return (adapter.Pass!.Detections, input, maps);
    }
}
