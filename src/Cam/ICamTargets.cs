namespace NativeCam.Cam;

/// <summary>
/// The K targets of one backward sweep, in a family's own terms (a detection's raw prediction, a class id, a box).
/// The core only counts them; the family's <see cref="ICamAdapter{TTargets}"/> knows what each one means.
/// </summary>
public interface ICamTargets
{
    /// <summary>K: the number of targets, and of maps per method and layer.</summary>
    int Count { get; }
}
