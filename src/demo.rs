//! `dermadesk demo`: a small demo clinic in an empty database, made through the same flows the
//! API uses (so the demo can never hold what the rules would refuse): three staff logins, two
//! practitioners with working hours, and a few clients with screenings and bookings.

use anyhow::{Context, anyhow, bail};
use jiff::{ToSpan, civil::Time};

use crate::{
    domain::{
        availability::WorkingWindow,
        client::ClientDetails,
        course::CourseShape,
        ids::PractitionerId,
        screening::{CURRENT, Outcome},
        service::Service,
        time::MinuteOfDay,
    },
    flows::{
        audit::Actor,
        auth::{self, NewUser, Role},
        availability, booking, practitioners, screening,
    },
    state::AppState,
};

/// The demo logins' password (printed; a demo database is not for real data).
pub const PASSWORD: &str = "demo-password";

/// Fills an empty database with the demo clinic and prints what it made.
pub async fn fill(state: &AppState) -> anyhow::Result<()> {
    if crate::store::staff::count_users(&state.db).await? > 0 {
        bail!("the database already has staff users; the demo fills only an empty database");
    }
    let mut people = Vec::new();
    for (name, email) in [
        ("Dr. Lena Vogt", "lena.vogt@demo.example"),
        ("Mara Jansen", "mara.jansen@demo.example"),
    ] {
        let p = practitioners::create(state, name, Some(email))
            .await
            .map_err(|e| anyhow!("practitioner {name}: {e}"))?;
        let hours = (0..6u8)
            .map(|weekday| {
                Ok(WorkingWindow {
                    weekday,
                    start: MinuteOfDay::parse_hhmm("09:00").map_err(|e| anyhow!(e))?,
                    end: MinuteOfDay::parse_hhmm("18:00").map_err(|e| anyhow!(e))?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        practitioners::set_hours(state, PractitionerId(p.id), hours)
            .await
            .map_err(|e| anyhow!("hours of {name}: {e}"))?;
        people.push(PractitionerId(p.id));
    }
    for (email, role, practitioner) in [
        ("admin@demo.example", Role::Admin, None),
        ("reception@demo.example", Role::Reception, None),
        (
            "lena.vogt@demo.example",
            Role::Practitioner,
            people.first().copied(),
        ),
    ] {
        auth::create_user(
            state,
            NewUser {
                email: email.to_owned(),
                password: PASSWORD.to_owned(),
                role,
                practitioner_id: practitioner,
            },
        )
        .await
        .map_err(|e| anyhow!("staff user {email}: {e}"))?;
    }

    // Clients: two book microneedling (one a course of three; the single session's consent is
    // signed), one needs a clinician's review, one is contraindicated and books a consultation
    // instead.
    let clients = [
        (
            "Anna Becker",
            "anna.becker@demo.example",
            &[][..],
            3,
            Service::Microneedling,
            1,
        ),
        (
            "Jonas Klein",
            "jonas.klein@demo.example",
            &[][..],
            4,
            Service::Microneedling,
            3,
        ),
        (
            "Sofia Romano",
            "sofia.romano@demo.example",
            &["sensitive_skin_or_rosacea"][..],
            0,
            Service::Microneedling,
            0,
        ),
        (
            "Lea Hoffmann",
            "lea.hoffmann@demo.example",
            &["pregnant"][..],
            5,
            Service::SkinConsultation,
            1,
        ),
    ];
    let zone = state.zone();
    let today = zone.local_date(state.now());
    for (name, email, yes, in_days, service, sessions) in clients {
        let details = ClientDetails::parse("client", name, email, Some("+49 30 1234567"))
            .map_err(|e| anyhow!("client {name}: {e:?}"))?;
        let raw = CURRENT
            .questions
            .iter()
            .map(|q| {
                (
                    q.id.to_owned(),
                    serde_json::Value::Bool(yes.contains(&q.id)),
                )
            })
            .collect();
        let answers = screening::parse_answers(state, &raw)
            .map_err(|e| anyhow!("answers of {name}: {:?}", e.0))?;
        let screened = screening::submit(
            state,
            screening::Submission {
                client: details.clone(),
                answers,
                concerns: Vec::new(),
            },
        )
        .await
        .map_err(|e| anyhow!("screening of {name}: {e}"))?;
        if sessions == 0 {
            println!(
                "  {name}: screening {:?}, waiting for a clinician",
                screened.outcome
            );
            continue;
        }
        // The first day from `in_days` on with a free time at or after 10:00 (or any).
        let mut found = None;
        for extra in 0..14 {
            let day = today
                .checked_add((in_days + extra).days())
                .context("a demo date")?;
            let offered = availability::slots(
                state,
                availability::Query {
                    screening_id: None,
                    service,
                    from: day,
                    to: day,
                    practitioner_id: None,
                    anesthesia: false,
                },
            )
            .await
            .map_err(|e| anyhow!("availability for {name}: {e}"))?;
            let ten = zone.instant(day.to_datetime(Time::constant(10, 0, 0, 0)));
            let slot = offered
                .slots
                .iter()
                .find(|s| s.start >= ten)
                .or_else(|| offered.slots.first())
                .copied();
            if slot.is_some() {
                found = slot;
                break;
            }
        }
        let slot = found.ok_or_else(|| anyhow!("no free time in two weeks for {name}"))?;
        let screening_id = (screened.outcome == Outcome::Eligible).then_some(screened.id);
        let made = booking::book(
            state,
            booking::BookingRequest {
                screening_id,
                client: screening_id.is_none().then_some(details),
                service,
                start: slot.start,
                practitioner_id: None,
                anesthesia: false,
                shape: CourseShape {
                    sessions,
                    interval_days: state.course_rules().default_interval.as_secs() as u32 / 86_400,
                },
                idempotency: None,
            },
            Actor::Client,
        )
        .await
        .map_err(|e| anyhow!("booking for {name}: {e}"))?;
        // The single session's client signs the consent from the manage link, so the desk can
        // check that visit in; the course's consent is left for the desk to take (`missing`).
        if let (Some(a), 1) = (made.appointments.first(), sessions)
            && crate::domain::consent::required(a.service)
        {
            crate::flows::consent::sign(state, a.id, name, true, Actor::Client)
                .await
                .map_err(|e| anyhow!("consent for {name}: {e}"))?;
        }
        let first = made.appointments.first().map(|a| zone.rfc3339(a.start));
        println!(
            "  {name}: {} x {}, first at {}; manage link: /manage#{}",
            made.appointments.len(),
            service.code(),
            first.unwrap_or_default(),
            made.manage_token
        );
    }
    println!(
        "demo clinic ready: staff logins admin@demo.example, reception@demo.example and \
         lena.vogt@demo.example (practitioner), password \"{PASSWORD}\""
    );
    Ok(())
}
