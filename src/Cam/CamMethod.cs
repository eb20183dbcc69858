namespace NativeCam.Cam;

/// <summary>
/// The class-activation-map methods (formulas in docs/cam.md and on <see cref="ICamKernels"/>). All of them
/// turn a layer's activation A [C, h, w] and, except EigenCAM, the gradient G of a target's score at that
/// layer into a map [h, w] ≥ 0 (a final ReLU). Guided backprop and Guided Grad-CAM are requested with
/// <see cref="CamRequest.Guided"/>: they live in input space, not on a layer.
/// </summary>
public enum CamMethod
{
    /// <summary>w_c = mean_p G_cp; map = ReLU(Σ_c w_c A_c).</summary>
    GradCam,
    /// <summary>w_c = Σ_p α_cp ReLU(G_cp), α = G² / (2G² + (Σ_p A_cp) G³) (0 where the denominator is 0); map = ReLU(Σ_c w_c A_c).</summary>
    GradCamPlusPlus,
    /// <summary>w_c = Σ_p A_cp G_cp / Σ_p A_cp (0 where the sum is 0); map = ReLU(Σ_c w_c A_c).</summary>
    XGradCam,
    /// <summary>map = ReLU(Σ_c ReLU(G_c) ⊙ A_c).</summary>
    LayerCam,
    /// <summary>map = ReLU(Σ_c G_c ⊙ A_c).</summary>
    HiResCam,
    /// <summary>map = ReLU(first principal component projection of A) (no gradient: the same map for every target).</summary>
    EigenCam,
    /// <summary>map = ReLU(first principal component projection of A ⊙ G).</summary>
    EigenGradCam,
    /// <summary>map = Σ_c ReLU(G_c ⊙ A_c) (pytorch-grad-cam's GradCAMElementWise).</summary>
    GradCamElementWise,
    /// <summary>
    /// The original CAM (Zhou et al. 2016): w_kc = the weight of channel c in target k's row of the Linear right after
    /// the global average pool; map = ReLU(Σ_c w_c A_c). No gradient; only at the layer feeding that pool, for models
    /// whose adapter gives the weights (<see cref="ICamClassWeights{TTargets}"/>).
    /// </summary>
    Cam,
    /// <summary>
    /// Score-CAM (Wang et al. 2020, as pytorch-grad-cam): each channel of A resized to the input (aligned corners),
    /// min-max normalised, multiplied into the input; w_kc = softmax over c of target k's score on that masked input;
    /// map = ReLU(Σ_c w_c A_c). No gradient: C extra forwards, batched (<see cref="CamRequest.BatchSize"/>).
    /// </summary>
    ScoreCam,
    /// <summary>
    /// Ablation-CAM (Desai and Ramaswamy 2020, as pytorch-grad-cam): w_kc = (s_k − s_kc) / s_k, s_kc target k's score
    /// with channel c of the layer ablated (0, or min A − 1e7 where A's minimum is not 0); map = ReLU(Σ_c w_c A_c).
    /// No gradient: C extra forwards, batched (<see cref="CamRequest.BatchSize"/>).
    /// </summary>
    AblationCam,
    /// <summary>
    /// FullGrad (Srinivas and Fleuret 2019, as pytorch-grad-cam 1.5.5 post-processes it): in input space,
    /// Σ_c s(|x_c · ∂y/∂x_c|) + Σ_conv resize(Σ_c s(|b_c · ∂y/∂z_c|)), s = per-map min-max scaling, b the conv's (BatchNorm-folded)
    /// bias and z its output, resized to the input (OpenCV's bilinear rule); the layers asked for are ignored. One backward.
    /// </summary>
    FullGrad,
    /// <summary>
    /// Integrated Gradients (Sundararajan et al. 2017, as Captum): attr = (x − x′) ⊙ Σ_i w_i ∂y/∂x(x′ + α_i (x − x′)), Gauss–Legendre
    /// α_i, w_i on [0, 1] (<see cref="CamRequest.IgSteps"/>), baseline x′ = 0 in the normalised input; map = |Σ_c attr_c| (input space).
    /// </summary>
    IntegratedGradients,
    /// <summary>
    /// SmoothGrad (Smilkov et al. 2017, as Captum's NoiseTunnel around Saliency): map = Σ_c (1/N) Σ_n |∂y/∂x(x + ε_n)|_c,
    /// ε_n ~ N(0, σ²), σ = <see cref="CamRequest.SmoothSigma"/> · (max x − min x) (input space).
    /// </summary>
    SmoothGrad,
}
