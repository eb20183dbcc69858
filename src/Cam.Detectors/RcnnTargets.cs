using NativeCam.Cam;
using NativeCam.Detectors;

namespace NativeCam.Cam.Detectors;

/// <summary>Which number of a kept detection is differentiated.</summary>
public enum RcnnScore
{
    /// <summary>The raw class logit of its label at its proposal (default).</summary>
    Logit,

    /// <summary>Its softmax probability, the score torchvision reports.</summary>
    Prob,
}

/// <summary>K kept Faster R-CNN detections, each explained through the proposal it was decoded from.</summary>
public sealed class RcnnTargets(IReadOnlyList<RcnnDetection> detections, RcnnScore score = RcnnScore.Logit) : ICamTargets
{
    /// <summary>The detections, in map order.</summary>
    public IReadOnlyList<RcnnDetection> Detections { get; } = detections;

    /// <summary>The score differentiated.</summary>
    public RcnnScore Score { get; } = score;

    /// <inheritdoc/>
    public int Count => Detections.Count;
}
