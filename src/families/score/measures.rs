//! What the score family hands the experiment engine.
use crate::experiment::Measure;

pub static MEASURES: &[Measure] = &[
    Measure {
    name: "score.sample_complexity",
    description: "the structured multi-scale model (multiscale parameters geom, L, K, sep, h, alpha, hetero, dynamics; the mixture drawn from the stream `model_seed`), N training trajectories (one pair (x_{t-1}, x_t) each): each IR level's conditional score of w_t^{r+1} given x_t^r (and x_{t-1}^{r+1} with past = 1) and the one-shot score of every detail above r0 given x_t^{r0} (and x_{t-1}^R), each learned by the conditional smoothed empirical score with bandwidths chosen on a held-out fifth, and its relative Fisher divergence over VE noise levels 0.1, 0.3, 1 weighted by s^2 (theory/score.md sections 9 and 10). `ir` stacks the levels (sum of their weighted errors over the sum of their weighted squared scores: the same target coordinates as the one-shot's), and `ir_share_r0`, `ir_share_r1`, ... are the levels' parts of it (each level's weighted error over the same sum, counting levels from r0: they add up to `ir`); one replicate is one training set",
    metrics: &[
        "ir",
        "one_shot",
        "ir_over_one_shot",
        "ir_minus_one_shot",
        "ir_finest",
        "ir_coarsest",
        "ir_share_r0",
        "ir_share_r1",
        "ir_share_r2",
    ],
    indicators: &[],
    prepare: super::conjecture::prepare_measure,
    closed_form: None,
},
    Measure {
        name: "score.past_state",
        description: "one IR level (`level`) of the structured multi-scale model (multiscale parameters; the mixture drawn from `model_seed`), N training trajectories: the conditional score of w_t^{r+1} given x_t^r and x_{t-1}^{r+1} (`with_past`) and given x_t^r alone (`without_past`), both learned from the same draws by `estimator` (kde or ridge, hyperparameters chosen on a held-out fifth), each judged by its relative Fisher divergence over VE noise levels 0.1, 0.3, 1 weighted by s^2 (theory/score.md section 11); one replicate is one training set",
        metrics: &["with_past", "without_past", "with_over_without"],
        indicators: &[],
        prepare: super::conjecture::prepare_past_measure,
        closed_form: None,
    },
    Measure {
        name: "score.isoperimetry_link",
        description: "the structured multi-scale model with L = 3 (multiscale parameters; the mixture drawn from `model_seed`), N training trajectories: the conditional score of each IR level's details w_t^{r+1} given x_t^r (`_r0`, `_r1`, `_r2`) and given x_t^r and x_{t-1}^{r+1} (`_r0_past`, ...), all learned from the same draws by `estimator`; `err_*` each problem's relative Fisher divergence (VE levels 0.1, 0.3, 1 weighted by s^2), `lsi_*` the geometric midpoint of its exact conditional's mean log-Sobolev band over 16 conditioning values (the same in every replicate), `rho` Spearman's rank correlation of the six errors with the six constants, `rho_lower` and `rho_upper` with the band's ends (theory/score.md section 13); one replicate is one training set",
        metrics: &[
            "rho", "rho_lower", "rho_upper", "err_r0", "err_r0_past", "err_r1", "err_r1_past",
            "err_r2", "err_r2_past", "lsi_r0", "lsi_r0_past", "lsi_r1", "lsi_r1_past", "lsi_r2",
            "lsi_r2_past",
        ],
        indicators: &[],
        prepare: super::conjecture::prepare_link_measure,
        closed_form: None,
    },
    Measure {
        name: "score.rate",
        description: "one training set of n draws of a fixed Gaussian mixture (`target`: line, plane or d4, the family's targets in d = 1, 2, 4), its smoothed empirical score (the score of the Gaussian kernel density estimate, no floor) at the bandwidth `bandwidth` (shrinking: h_n = n^{-1/(d+4)}; fixed: h_100, the mutation of score.rate.smoothed_empirical), and its relative Fisher error E||s_hat - s||^2 / E||s||^2 over 1000 fresh draws of the target (`error`; theory/score.md section 12); `bandwidth_used` is h",
        metrics: &["error", "bandwidth_used"],
        indicators: &[],
        prepare: super::rate::prepare_measure,
        closed_form: None,
    },
    Measure {
        name: "score.shared_model",
        description: "the structured multi-scale model (multiscale parameters; the mixture drawn from `model_seed`), N training trajectories: every IR level's conditional score learned twice from the same draws, by one random-feature model serving every level and noise level (inputs: the conditioning blocks and noisy details zero-padded to their largest size, a one-hot resolution embedding, the log noise level; output the noise prediction; `shared`) and by one random-feature model per level and noise level (`separate`, the estimator `ridge` of score.sample_complexity); each judged by the IR levels' stacked relative Fisher divergence over VE noise levels 0.1, 0.3, 1 weighted by s^2, per level in `shared_r0`, `separate_r0`, ... (theory/score.md section 14); one replicate is one training set",
        metrics: &[
            "shared",
            "separate",
            "shared_over_separate",
            "shared_minus_separate",
        ],
        indicators: &[],
        prepare: super::shared_model::prepare_measure,
        closed_form: None,
    },
];
