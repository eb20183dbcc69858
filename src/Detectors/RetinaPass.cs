using NativeCam.Autograd;

namespace NativeCam.Detectors;

/// <summary>
/// One RetinaNet forward on a tape: the pyramid levels P3–P7 (watchable by name), each level's class logits
/// [1, A·K, H, W] (differentiable down to the watched layers) and the kept detections.
/// </summary>
public sealed record RetinaPass(RcnnInput Input, Var[] Levels, Var[] ClassLogits, IReadOnlyList<RetinaDetection> Detections);
