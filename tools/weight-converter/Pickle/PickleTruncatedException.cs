namespace NativeCam.Weights.Pickle;

/// <summary>
/// A pickle ran past the bytes it was given. <see cref="Needed"/> is how many bytes from the start of the
/// buffer would let it go on (a lower bound when unknown), so a reader holding a window of a larger file
/// can widen the window, within its own limit, and run the pickle again.
/// </summary>
public sealed class PickleTruncatedException(string message, long needed) : WeightFormatException(message)
{
    /// <summary>Bytes from the buffer's start the pickle needs at least.</summary>
    public long Needed { get; } = needed;
}
