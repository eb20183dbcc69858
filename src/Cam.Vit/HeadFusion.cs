namespace NativeCam.Cam.Vit;

/// <summary>How attention rollout fuses a layer's H heads [H, T, T] into one [T, T] matrix.</summary>
public enum HeadFusion
{
    /// <summary>The mean over the heads.</summary>
    Mean,

    /// <summary>The element-wise maximum over the heads.</summary>
    Max,

    /// <summary>The element-wise minimum over the heads.</summary>
    Min,
}
