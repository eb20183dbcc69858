using NativeCam.Cam;
using NativeCam.Detectors;

namespace NativeCam.Cam.Detectors;

/// <summary>
/// K kept RetinaNet detections, each explained through the anchor it was decoded from; <see cref="RcnnScore.Logit"/>
/// differentiates its class logit there, <see cref="RcnnScore.Prob"/> its sigmoid score (what torchvision reports).
/// </summary>
public sealed class RetinaTargets(IReadOnlyList<RetinaDetection> detections, RcnnScore score = RcnnScore.Logit) : ICamTargets
{
    /// <summary>The detections, in map order.</summary>
    public IReadOnlyList<RetinaDetection> Detections { get; } = detections;

    /// <summary>The score differentiated.</summary>
    public RcnnScore Score { get; } = score;

    /// <inheritdoc/>
    public int Count => Detections.Count;
}
