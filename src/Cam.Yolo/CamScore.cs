namespace NativeCam.Cam.Yolo;

/// <summary>The score a target back-propagates (the seed tools' default is the raw class logit).</summary>
public enum CamScore
{
    /// <summary>The detection's raw pre-sigmoid class logit at its own anchor and grid cell.</summary>
    Logit,
    /// <summary>σ(objectness logit) · σ(class logit), the detection's confidence before NMS.</summary>
    Confidence,
    /// <summary>The raw pre-sigmoid objectness logit (class-blind: "is there an object here?").</summary>
    Objectness,
}
