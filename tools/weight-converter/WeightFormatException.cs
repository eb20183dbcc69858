namespace NativeCam.Weights;

/// <summary>
/// A checkpoint or weight file that cannot be read: broken, truncated, hostile or unsupported.
/// The message is one line meant for the user; front ends print it as is, without a stack trace.
/// </summary>
public class WeightFormatException(string message) : Exception(message);

/// <summary>The pickle asked to call something outside the allow-list (e.g. os.system); nothing was called.</summary>
public sealed class RefusedCallException(string callable)
    : WeightFormatException($"refused to call {callable} from checkpoint")
{
    /// <summary>Dotted name of the refused callable, as written in the file.</summary>
    public string Callable { get; } = callable;
}
