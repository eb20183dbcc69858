using NativeCam.Imaging;

namespace NativeCam.Cli;

/// <summary>The IMAGE|DIR arguments: expanded (files as given, directories as their image files in sorted order),
/// then each decoded with one set of errors.</summary>
public static class ImageInputs
{
    static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp" };

    public static List<string> Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (var a in arguments)
        {
            if (a.StartsWith('-') && !File.Exists(a)) throw new CliError($"unknown option {a} (see --help)");
            if (Directory.Exists(a))
            {
                var found = Directory.EnumerateFiles(a)
                    .Where(f => Extensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new CliError($"{a}: no .jpg, .jpeg, .png or .bmp files in this folder");
                files.AddRange(found);
            }
            else if (Path.Exists(a)) files.Add(a); // a file named on the command line is read whatever its extension (content decides)
            else throw new CliError($"no such file: {a}"); // a mistyped name stops the run before any work
        }
        return files;
    }

    /// <summary>The image at <paramref name="path"/>; failures are <see cref="CliError"/>s with <paramref name="exitCode"/>
    /// (by default 1: in a folder run a bad image is reported and skipped).</summary>
    public static RgbImage Decode(string path, long maxPixels, int exitCode = ExitCodes.SomeInputsFailed)
    {
        InputFile.Check(path, exitCode);
        try { return ImageLoader.Load(path, maxPixels); }
        catch (FileNotFoundException) { throw new CliError($"no such file: {path}", exitCode); }
        catch (InvalidDataException e) { throw new CliError(e.Message, exitCode); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliError($"{path}: {e.Message}", exitCode); }
    }
}
