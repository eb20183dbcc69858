using System.CommandLine;

namespace NativeCam.Cli;

/// <summary>`nativecam device`: shows which accelerator `--device` (or NATIVECAM_DEVICE) resolves to.</summary>
public static class DeviceCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var cmd = new Command("device", "Show the accelerator NativeCam would use.\n\nExample:\n  nativecam device --device cpu");
        cmd.Options.Add(device);
        cmd.SetAction(parse =>
        {
            using var dev = CommonOptions.OpenDevice(parse.GetValue(device));
            Console.WriteLine(dev.Description);
            return 0;
        });
        return cmd;
    }
}
