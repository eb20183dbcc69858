using System.CommandLine;
using NativeCam.Cli;

// The `nativecam` tool. Each command lives in its own file and returns an exit code;
// errors meant for the user are thrown as CliError and printed as one line.
var root = new RootCommand("NativeCam: see what vision networks look at, on its own GPU engine.");
root.Subcommands.Add(DetectCamCommand.Create());
root.Subcommands.Add(DetectCommand.Create());
root.Subcommands.Add(MetricsCommand.Create());
root.Subcommands.Add(VitCamCommand.Create());
root.Subcommands.Add(ClassifyCommand.Create());
root.Subcommands.Add(ClassifyCamCommand.Create());
root.Subcommands.Add(FeaturesCommand.Create());
root.Subcommands.Add(DeviceCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(LayersCommand.Create());
root.Subcommands.Add(AutogradDemoCommand.Create());
return CliRunner.Run(root, args);
