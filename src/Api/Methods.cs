using NativeCam.Cam;

namespace NativeCam;

/// <summary>Method names as the command line spells them, and host maps as 2-D arrays.</summary>
static class Methods
{
    public static string Name(CamMethod method) => method switch
    {
        CamMethod.GradCam => "gradcam",
        CamMethod.GradCamPlusPlus => "gradcam++",
        CamMethod.XGradCam => "xgradcam",
        CamMethod.LayerCam => "layercam",
        CamMethod.HiResCam => "hirescam",
        CamMethod.EigenCam => "eigencam",
        CamMethod.EigenGradCam => "eigengradcam",
        CamMethod.FullGrad => "fullgrad",
        CamMethod.IntegratedGradients => "integrated-gradients",
        CamMethod.SmoothGrad => "smoothgrad",
        _ => method.ToString().ToLowerInvariant(),
    };

    public static float[,] ToGrid(float[] map, int height, int width)
    {
        var grid = new float[height, width];
        Buffer.BlockCopy(map, 0, grid, 0, map.Length * sizeof(float));
        return grid;
    }
}
