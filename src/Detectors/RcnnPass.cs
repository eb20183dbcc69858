using NativeCam.Autograd;

namespace NativeCam.Detectors;

/// <summary>
/// One Faster R-CNN forward on a tape: the FPN levels (P2–P6, watchable by name), the RPN proposals [P, 4] in
/// resized-image pixels, the pooled proposals, the class logits (differentiable; row <c>RowOf[p]</c> is proposal p)
/// and, on the host in proposal order, the logits and box deltas, and the kept detections. With no proposal at all
/// (a blank image can give none) <see cref="Pooled"/> and <see cref="Logits"/> are null and the rest empty.
/// </summary>
public sealed record RcnnPass(
    RcnnInput Input,
    Var[] Levels,
    float[] Proposals,
    Var? Pooled,
    Var? Logits,
    int[] RowOf,
    float[] HostLogits,
    float[] HostDeltas,
    IReadOnlyList<RcnnDetection> Detections);
