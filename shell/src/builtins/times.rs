use crate::exec::{Shell, Status};

/// `times` — the user and system time used by the shell and by its children.
pub fn times(_: &mut Shell, _: &[String]) -> Status {
    let get = |who| {
        nix::sys::resource::getrusage(who)
            .map(|u| {
                let t =
                    |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
                (t(u.user_time()), t(u.system_time()))
            })
            .unwrap_or((0.0, 0.0))
    };
    let show = |s: f64| format!("{}m{:.3}s", (s / 60.0) as u64, s % 60.0);
    let (u, s) = get(nix::sys::resource::UsageWho::RUSAGE_SELF);
    let (cu, cs) = get(nix::sys::resource::UsageWho::RUSAGE_CHILDREN);
    let text = format!("{} {}\n{} {}\n", show(u), show(s), show(cu), show(cs));
    Ok(if super::out(&text) { 0 } else { 1 })
}
