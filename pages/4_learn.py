"""Learn page: the seed articles' math, live (their convention, labelled as such)."""

import streamlit as st

from reglab import charts, learn
from reglab.ui import frame, page_guard

with page_guard():
    frame("Learn", ":material/school:")
    st.title("Learn")
    st.caption(
        "The math behind regularization, step by step. Numbers on this page use the seed articles' convention — "
        "loss L plus λ·Σ|wⱼ| (L1) or λ·Σwⱼ² (L2), plain gradient steps — unless a box says otherwise. "
        "The rest of the app uses 1/(2n)·Σ(yᵢ − ŷᵢ)² + λ·(α‖w‖₁ + (1−α)/2·‖w‖₂²)."
    )
    fmt = learn.seed_format

    # ---------------------------------------------------------------- 1. worked example
    st.header("1 · One gradient step, four ways")
    st.caption("Seed article 003's worked example. Edit any input; every number below follows.")
    cols = st.columns(4)
    w = [cols[j].number_input(f"w{'₀₁₂'[j]}", value=learn.SEED_W[j], step=0.1, format="%.4f", key=f"learn_w{j}") for j in range(3)]
    base_loss = cols[3].number_input("Base loss L", value=learn.SEED_BASE_LOSS, step=0.1, format="%.4f", key="learn_loss")
    cols = st.columns(4)
    grad = [cols[j].number_input(f"∂L/∂w{'₀₁₂'[j]}", value=learn.SEED_GRAD[j], step=0.01, format="%.4f", key=f"learn_g{j}")
            for j in range(3)]
    lr = cols[3].number_input("Learning rate η", value=learn.SEED_LR, min_value=0.0, step=0.01, format="%.4f", key="learn_lr")
    cols = st.columns(4)
    lam = cols[0].number_input("λ (L1 and L2)", value=learn.SEED_LAMBDA, min_value=0.0, step=0.005, format="%.4f", key="learn_lam")
    lam1 = cols[1].number_input("λ₁ (elastic net, L1 part)", value=learn.SEED_LAMBDA, min_value=0.0, step=0.005, format="%.4f",
                                key="learn_lam1")
    lam2 = cols[2].number_input("λ₂ (elastic net, L2 part)", value=learn.SEED_LAMBDA, min_value=0.0, step=0.005, format="%.4f",
                                key="learn_lam2")

    FORMULAS = {
        "none": (r"L_{total} = L", r"w_j \leftarrow w_j - \eta\,\frac{\partial L}{\partial w_j}"),
        "l2": (r"L_{total} = L + \lambda \sum_j w_j^2",
               r"w_j \leftarrow w_j - \eta\left(\frac{\partial L}{\partial w_j} + 2\lambda w_j\right)"),
        "l1": (r"L_{total} = L + \lambda \sum_j |w_j|",
               r"w_j \leftarrow w_j - \eta\left(\frac{\partial L}{\partial w_j} + \lambda\,\mathrm{sign}(w_j)\right)"),
        "elasticnet": (r"L_{total} = L + \lambda_1 \sum_j |w_j| + \lambda_2 \sum_j w_j^2",
                       r"w_j \leftarrow w_j - \eta\left(\frac{\partial L}{\partial w_j} + \lambda_1 \mathrm{sign}(w_j)"
                       r" + 2\lambda_2 w_j\right)"),
    }
    TITLES = {"none": "No penalty", "l2": "L2 (ridge)", "l1": "L1 (lasso)", "elasticnet": "Elastic net"}
    panels = [panel for _ in range(2) for panel in st.columns(2, border=True)]
    for column, kind in zip(panels, FORMULAS):
        step = learn.seed_step(w, base_loss, grad, kind, lam=lam, lr=lr, lam1=lam1, lam2=lam2)
        with column:
            st.subheader(TITLES[kind])
            # Formulas use the panel's full width (side by side with the numbers they were cut off at 1280–1400 px).
            st.latex(FORMULAS[kind][0])
            st.latex(FORMULAS[kind][1])
            st.markdown(f"Penalty: **{fmt(step.penalty_value)}**  \nLoss: **{fmt(step.loss)}**  \n"
                             "Full gradient: [" + ", ".join(fmt(v) for v in step.full_grad) + "]  \n"
                             "New w: **[" + ", ".join(fmt(v) for v in step.new_w) + "]**")
    st.caption("Convention: seed article 003 (penalty λΣw² for L2, so its gradient is 2λw; sign(0) = 0 for L1). "
               "A note for readers of the article: its 10-step λ-sensitivity printout does not follow from the update it "
               "shows (at λ = 0 it lists w₁ = −0.7, but ten steps of w₁ ← w₁ − 0.1·0.1 from −0.8 give −0.9), so this page "
               "does not reproduce that table.")

    # ---------------------------------------------------------------- 2. one variable, many steps
    st.header("2 · Many steps on one weight: L1 reaches zero, L2 only shrinks")
    st.caption("ŷ = w·x + b on 21 points with a weak slope; loss = mean squared error; b is never penalized (seed articles 000 and 001).")
    left, right = st.columns([2, 3])
    with left:
        st.latex(r"H = \overline{2x\,(wx + b - y)}")
        st.latex(r"\text{(0)}\; w \leftarrow w - \eta H")
        st.latex(r"\text{(1)}\; w \leftarrow w - \eta\,(H + \lambda\,\mathrm{sign}\,w)")
        st.latex(r"\text{(2)}\; w \leftarrow w - \eta\,(H + 2\lambda w)")
        st.latex(r"\text{prox: } w \leftarrow \mathrm{sign}(v)\max(|v| - \eta\lambda,\, 0)")
        st.latex(r"\text{with } v = w - \eta H")
        gd_lam = st.slider("λ", 0.0, 2.0, 0.5, 0.05, key="learn_gd_lam")
        gd_lr = st.slider("η", 0.01, 0.5, 0.1, 0.01, key="learn_gd_lr")
        gd_steps = st.slider("Steps", 5, 200, 60, 5, key="learn_gd_steps")
    trajectories = learn.descent_trajectories(lam=gd_lam, lr=gd_lr, steps=gd_steps)
    with right:
        st.altair_chart(charts.trajectory_chart(trajectories), width="stretch")
        final = trajectories[trajectories["step"] == gd_steps].set_index("method")["w"]
        st.markdown(" · ".join(f"{name}: **{fmt(value) if value != 0 else '0 (exactly)'}**" for name, value in final.items()))
    st.caption(
        "The subgradient step (1) subtracts ηλ·sign(w) every time, so near 0 it overshoots and flips sign: weights rarely "
        "land on exactly 0. The proximal step (soft-thresholding) sets w to exactly 0 whenever |w − ηH| ≤ ηλ — this is "
        "how lasso solvers (coordinate descent, ISTA) produce true zeros."
    )

    # ---------------------------------------------------------------- 3. geometry
    st.header("3 · Geometry: why L1 gives corners and zeros")
    st.caption("Minimize a quadratic loss subject to ‖w‖ ≤ t (the Lagrange view of the penalty; seeds 003 and 004).")
    left, right = st.columns([1, 2])
    with left:
        LABELS = {"0.5": "p = 0.5 (non-convex)", "1": "p = 1 (L1, diamond)", "1.5": "p = 1.5", "2": "p = 2 (L2, circle)",
                  "inf": "p = ∞ (square)", "elastic net": "elastic net"}
        chosen = st.multiselect("Constraint regions", list(LABELS), default=["1", "2"], format_func=LABELS.get, key="learn_balls")
        t = st.slider("Budget t", 0.1, 2.5, 1.0, 0.05, key="learn_t", help="Smaller t = stronger regularization (larger λ).")
        enet_ratio = st.slider("Elastic-net α", 0.05, 0.95, 0.5, 0.05, key="learn_enet_ratio", disabled="elastic net" not in chosen,
                               help="Region α‖w‖₁ + (1−α)/2‖w‖₂² ≤ t.")
    if chosen:
        contours, outlines, optima = learn.geometry(learn.DEFAULT_LOSS, tuple(chosen), t, enet_ratio)
        with right:
            # explicit pixels: equal axes need a square plot, which "stretch" would distort
            st.altair_chart(charts.geometry_chart(contours, outlines, optima, learn.DEFAULT_LOSS.center), width=540, height=600)
        st.dataframe(optima.rename(columns={"ball": "constraint", "w1": "w₁", "w2": "w₂", "size": "‖w‖ at optimum"}),
                     hide_index=True, width="stretch")
        if "0.5" in chosen:
            st.caption("p = 0.5 is not a norm: its ball is not convex, so the constrained problem can have several local optima. "
                       "It is even sparser than L1, but no longer a convex problem that solvers can trust.")
    else:
        right.info("Pick at least one constraint region.", icon=":material/info:")
    st.caption("The ellipses are the loss's contours; each dot is where the smallest ellipse first touches a region. "
               "The diamond's corners lie on the axes, so that first touch often has a coordinate exactly 0.")

    # ---------------------------------------------------------------- 4. bias-variance picture
    st.header("4 · Under-fit, good fit, over-fit")
    st.caption("Seed article 002's picture: a noisy sample of sin(πx); flexible models chase the noise, penalties pull them back. "
               "Ridge curves use the app's objective (standardized features).")
    x, y = learn.noisy_sine_sample()
    left, right = st.columns(2)
    with left:
        degrees = st.multiselect("Polynomial degrees (least squares)", list(range(1, 16)), default=[1, 3, 15], key="learn_degrees")
        st.altair_chart(charts.fits_chart(learn.polynomial_fits(x, y, degrees=tuple(degrees)), x, y,
                                          title="More flexibility: under-fit → over-fit"), width="stretch")
        st.caption("Degree 1 misses the curve (high bias); degree 15 threads every noisy point (high variance).")
    with right:
        lambdas = st.multiselect("Ridge λ at degree 12", [1e-6, 1e-4, 1e-2, 0.1, 1.0, 10.0], default=[1e-6, 1e-2, 1.0],
                                 format_func=lambda v: f"{v:g}", key="learn_lambdas")
        st.altair_chart(charts.fits_chart(learn.polynomial_fits(x, y, lambdas=tuple(lambdas)), x, y,
                                          title="More λ: over-fit → under-fit"), width="stretch")
        st.caption("The same degree-12 model: a tiny λ over-fits, a large λ flattens it; in between it follows the truth.")

    # ---------------------------------------------------------------- 5. short explanations
    st.header("5 · Why it works this way")
    a, b = st.columns(2)
    with a:
        with st.expander("Why the intercept is not penalized", icon=":material/vertical_align_center:", expanded=True):
            st.markdown("The intercept only says where the data sit (the average of y). Penalizing it would pull every "
                        "prediction toward 0 — a result that changes if you merely shift y by a constant, which no one wants. "
                        "So the penalty applies to the slopes w, and b is fitted freely.")
            st.page_link("pages/2_explore.py", label="See it: every Explore fit has an unpenalized intercept",
                         icon=":material/insights:")
        with st.expander("One global λ is a simplification", icon=":material/tune:", expanded=True):
            st.markdown("A single λ charges every coefficient the same price per unit. That is why standardizing matters: "
                        "without it, a feature in grams and the same feature in kilograms are penalized very differently. "
                        "Per-feature weights (adaptive lasso) or per-group penalties are the usual refinements.")
            st.page_link("pages/2_explore.py", label="Try it: switch 'Standardize' off on Explore", icon=":material/insights:")
    with b:
        with st.expander("The Lagrangian view", icon=":material/functions:", expanded=True):
            st.latex(r"\min_w\; L(w) + \lambda P(w)")
            st.latex(r"\Longleftrightarrow\quad \min_w\; L(w)\ \text{ subject to }\ P(w) \le t")
            st.markdown("For every λ there is a budget t giving the same solution (for convex P): a larger λ means a smaller "
                        "region in section 3. That is why the geometry explains the penalty.")
        with st.expander("Correlated features: L1 picks one, L2 spreads the weight", icon=":material/hub:", expanded=True):
            st.markdown("When two features carry the same information, the L1 diamond's corner makes one of them 0; "
                        "the L2 circle splits the weight evenly. The elastic net keeps the group together while staying sparse.")
            st.page_link("pages/2_explore.py", label="See it: lasso on correlated groups", icon=":material/insights:",
                         query_params={"dataset": "groups", "penalty": "l1"})

    st.subheader("L1 vs L2 at a glance")
    st.table({
        "": ["Solutions", "Feature selection", "Closed form", "Correlated features", "Robustness to outliers in w", "Convex"],
        "L1 (lasso)": ["sparse: exact zeros", "yes", "no (coordinate descent)", "keeps one, drops the rest",
                       "less shrinkage of large w", "yes"],
        "L2 (ridge)": ["dense: small but non-zero", "no", "yes: (XᵀX + nλI)⁻¹Xᵀy", "spreads weight evenly", "shrinks large w most", "yes"],
    })
