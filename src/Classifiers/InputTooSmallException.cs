namespace NativeCam.Classifiers;

/// <summary>An image too small for a network's unpadded convs and pools (Inception v3 below 75×75, a GoogLeNet whose
/// max pools would leave no pixel): the input's fault, which the CLI reports as a one-line error for that input.</summary>
public sealed class InputTooSmallException(string message) : ArgumentException(message);
