namespace NativeCam.Cam.Vit;

/// <summary>Which entries of a fused attention matrix the rollout discard never zeroes (they still count towards
/// the number dropped).</summary>
public enum DiscardExemption
{
    /// <summary>The class token's row and column (NativeCam's rule, docs/vit-explain.md).</summary>
    ClassRowAndColumn,

    /// <summary>Only flat index 0, the entry [0, 0] (vit-explain's attention rollout: <c>indices[indices != 0]</c>).</summary>
    FirstEntry,

    /// <summary>Nothing (vit-explain's gradient rollout, where that filter is commented out).</summary>
    None,
}
