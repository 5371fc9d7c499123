//! The record settings a config gives its connections (sizes, multi-record reads).

/// What a config says about sending and receiving records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IoSettings {
    /// The largest record payload sent (`s2n_config_set_max_fragment_length`);
    /// None: rs2n's default, 16 KiB.
    pub max_fragment_length: Option<u16>,
    /// `s2n_recv` fills the buffer from several records
    /// (`s2n_config_set_recv_multi_record`).
    pub recv_multi_record: bool,
}
