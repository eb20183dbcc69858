using NativeCam.Weights;

namespace NativeCam.Cli;

/// <summary>Turns the weight library's failures into one-line CLI errors with exit code 2.</summary>
public static class WeightErrors
{
    public static T Guard<T>(string path, Func<T> action)
    {
        InputFile.Check(path);
        try
        {
            return action();
        }
        catch (WeightFormatException e)
        {
            throw new CliError(e.Message);
        }
        catch (Exception e) when (e is UnauthorizedAccessException || e is IOException io && !CliRunner.DiskFull(io))
        {
            throw new CliError(e.Message.ReplaceLineEndings(" "));
        }
    }
}
