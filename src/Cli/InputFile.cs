using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>The files a user names (images, --weights, --tensor): checked before anything opens them.</summary>
public static class InputFile
{
    /// <summary>Refuses a missing file, a folder, an empty file, a pipe or a device with a one-line
    /// <see cref="CliError"/> (exit <paramref name="exitCode"/>); returns the path.</summary>
    public static string Check(string path, int exitCode = ExitCodes.BadInput)
    {
        try
        {
            RegularFile.Size(path);
            return path;
        }
        catch (FileNotFoundException) { throw new CliError($"no such file: {path}", exitCode); }
        catch (InvalidDataException e) { throw new CliError(e.Message, exitCode); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliError($"{path}: {e.Message}", exitCode); }
    }
}
