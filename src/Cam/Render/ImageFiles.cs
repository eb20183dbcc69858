using System.Runtime.InteropServices;
using NativeCam.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NativeCam.Cam.Render;

/// <summary>
/// Writes RGB images as JPEG (quality 95 by default) or PNG through ImageSharp. A file is written under a
/// temporary name in the destination folder and renamed over the destination only when complete, so a reader
/// never sees half a file and a failed write leaves any previous file untouched.
/// </summary>
public static class ImageFiles
{
    public const int DefaultJpegQuality = 95;

    /// <summary>Writes <paramref name="image"/> in the format its extension names (.jpg, .jpeg or .png).</summary>
    public static void Save(RgbImage image, string path, int jpegQuality = DefaultJpegQuality)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        switch (ext)
        {
            case ".jpg" or ".jpeg": SaveJpeg(image, path, jpegQuality); break;
            case ".png": SavePng(image, path); break;
            default: throw new ArgumentException($"{Path.GetFileName(path)}: unsupported image extension '{ext}' (use .jpg, .jpeg or .png)");
        }
    }

    public static void SaveJpeg(RgbImage image, string path, int quality = DefaultJpegQuality)
    {
        if (quality is < 1 or > 100) throw new ArgumentException($"JPEG quality {quality} is not in 1..100");
        Write(image, path, new JpegEncoder { Quality = quality });
    }

    public static void SavePng(RgbImage image, string path) => Write(image, path, new PngEncoder());

    static void Write(RgbImage image, string path, IImageEncoder encoder)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{path}: no folder");
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var picture = Image.LoadPixelData<Rgb24>(MemoryMarshal.Cast<byte, Rgb24>(image.Pixels.AsSpan()), image.Width, image.Height))
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                picture.Save(stream, encoder);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (IOException) { /* the original error matters more than a leftover temp file */ }
            throw;
        }
    }
}
