namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// A well-formed JPEG of a flavour our decoder does not reproduce (arithmetic coding, lossless or
/// hierarchical frames, more than 8 bits per sample, CMYK/YCCK): the caller falls back to another decoder.
/// Corrupt data is an <see cref="InvalidDataException"/> instead.
/// </summary>
public sealed class JpegUnsupportedException(string message) : Exception(message);
