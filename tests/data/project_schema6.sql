PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE codebook_versions (
	version INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	content_hash VARCHAR(32) NOT NULL, 
	title TEXT NOT NULL, 
	body TEXT NOT NULL, 
	note TEXT NOT NULL, 
	PRIMARY KEY (version)
);
INSERT INTO codebook_versions VALUES(1,'2026-11-30 04:38:35.749964','1ec2eab31a2598a9','Sharing diagnostic images with patients','{"abbreviations": [["pt", "patient"], ["pts", "patients"], ["pt''s", "patient"], ["pts''", "patients"], ["dx", "diagnosis"], ["tx", "treatment"], ["rx", "treatment"], ["hx", "history"], ["sx", "symptoms"], ["f/u", "follow-up"], ["fu", "follow-up"], ["xr", "x-ray"], ["xray", "x-ray"], ["xrays", "x-ray"], ["u/s", "ultrasound"], ["uss", "ultrasound"], ["US", "ultrasound"], ["img", "image"], ["imgs", "images"], ["appt", "appointment"], ["appts", "appointments"], ["dr", "doctor"], ["drs", "doctors"], ["gp''s", "gp"], ["gps", "gp"], ["mri''s", "mri"], ["ct''s", "ct"]], "codes": [{"colour": "#4E79A7", "definition": "Seeing their own images helps patients understand their condition, diagnosis or anatomy, the information they are given, or why a treatment or procedure is needed.", "examples": ["When they can actually see the break on the x-ray it clicks why the cast has to stay on.", "Helps pts get their head round what the diagnosis means.", "Showing the scan lets them see the lump really has gone, which words alone do not do."], "exclude": ["Reassurance or feeling less worried on its own (no code).", "Staff understanding of images (not a patient-side code).", "Patients misunderstanding images (that is interpretation_difficulty)."], "group": "benefit", "id": "understanding", "include": ["Understanding of the condition, the diagnosis, the injury, the anatomy or the body.", "Making sense of what the clinician says; \"a picture is worth a thousand words\"; visual learners.", "Understanding why a treatment, operation or procedure is needed, even when no follow-through is stated.", "Reassurance framed as showing the patient what the scan does or does not show (e.g. \"see there is no tumour\")."], "keywords": ["understand", "understanding", "comprehension", "make sense", "visualise", "see for themselves", "picture is worth", "grasp", "insight", "clarity", "realise", "explain their condition", "know what is going on", "educational", "informed", "aware of their condition", "visual learner", "see what is wrong", "see the fracture"], "label": "Understanding", "parent": null}, {"colour": "#59A14F", "definition": "Images support the conversation between patient and clinician and working in partnership: explaining, asking questions, shared decisions, trust, openness and involvement in their care.", "examples": ["Pulling the images up in clinic gives us something to talk around and they ask far better questions.", "Builds trust - nothing is hidden from them.", "Patients feel part of the decision rather than being told what will happen."], "exclude": ["Talking things through with family or friends rather than a clinician.", "\"Empowering\" alone with nothing about the relationship or the conversation.", "Engagement with treatment or rehab (that is adherence)."], "group": "benefit", "id": "communication", "include": ["Images as a tool for explaining findings in a consultation; better conversations and questions.", "Shared decision-making, partnership, involvement or engagement in their care, trust, transparency, openness.", "Patient-centred care, rapport, feeling listened to or included."], "keywords": ["communication", "communicate", "conversation", "discussion", "discuss", "explain", "questions", "shared decision", "partnership", "trust", "transparency", "openness", "involve", "involvement", "engagement in their care", "rapport", "patient centred", "dialogue", "consultation", "talk through", "chat", "involved", "included", "decision", "relationship", "listened to", "partner"], "label": "Communication", "parent": null}, {"colour": "#F28E2B", "definition": "Seeing their images encourages patients to follow the care plan and manage their own health: taking treatment or medication, changing lifestyle, attending follow-up, engaging with rehab, staying motivated, accepting a referral.", "examples": ["Seeing the damage to his lungs did more to make him quit smoking than years of leaflets.", "They do their physio exercises when they have seen the tear for themselves.", "Pts are more likely to take ownership of their recovery."], "exclude": ["Understanding why a treatment is needed with no follow-through stated (understanding only).", "A drop in adherence caused by images (the code is the benefit).", "\"Empowering\" alone."], "group": "benefit", "id": "adherence", "include": ["Compliance or adherence with treatment, medication, exercises, physio or rehab.", "Lifestyle change prompted by the images (smoking, weight, alcohol, diet, exercise).", "Motivation, ownership or self-management of their health; attending follow-up or screening.", "Accepting a referral or an operation after seeing the images."], "keywords": ["adherence", "compliance", "comply", "compliant", "motivate", "motivation", "follow advice", "stick to", "take their medication", "lifestyle", "stop smoking", "lose weight", "self-management", "self care", "ownership", "attend follow up", "do their exercises", "rehab", "engage with treatment", "seriously", "stick with", "exercise", "physio", "physiotherapy", "medication", "meds", "quit", "smoking", "diet", "alcohol", "attendance", "turn up", "look after themselves", "committed"], "label": "Adherence", "parent": null}, {"colour": "#E15759", "definition": "Images are hard for lay people to interpret: they may misread them, take normal anatomy or artefacts for disease, or need an expert or the report to make sense of them.", "examples": ["To an untrained eye a normal bowel loop can look like a mass.", "Images alone mean nothing to most people - they need the report or someone to go through it.", "Risk they read something sinister into an artefact."], "exclude": ["\"Must be supervised\" or \"only in clinic\" with no reason given (clinician_present only).", "Misreading written reports alone (not about images).", "Staff finding images hard to interpret.", "The risk dismissed or denied by the respondent."], "group": "risk", "id": "interpretation_difficulty", "include": ["Misinterpretation or misreading of images; normal variants or artefacts mistaken for disease.", "Images must come with the report, an explanation, annotations or plain-English labels.", "Needs someone (a clinician, radiographer) to explain it, because patients cannot read images.", "Googling findings and drawing wrong conclusions from the pictures.", "A risk acknowledged as small or manageable is still coded."], "keywords": ["interpret", "interpretation", "misinterpret", "misread", "misunderstand", "confusing", "not trained", "lay person", "untrained eye", "make sense of the images", "need explaining", "with the report", "artefact", "normal anatomy", "annotated", "jargon", "grey blobs", "dr google", "wrong conclusions", "draw conclusions", "jump to conclusions", "meaningless", "mean nothing", "without training", "out of context", "misleading", "mistaken", "hard to read", "difficult to read", "hard to understand", "cannot interpret", "cannot read", "cannot make sense", "not understand", "not know what they are looking at", "not mean", "no idea"], "label": "Interpretation difficulty", "parent": null}, {"colour": "#B07AA1", "definition": "Seeing images may cause patients worry, distress, fear or panic: bad news delivered by an image, unsupervised access before results are discussed, incidental findings.", "examples": ["Opening a scan of your own tumour on an app at midnight with nobody to ask would be terrifying.", "Some will fret over every shadow.", "Could cause a bit of worry, though that is manageable if someone talks it through."], "exclude": ["Reassurance or less worry (no code; understanding only when framed as what the scan shows).", "The risk dismissed or denied (\"I don''t think it causes anxiety\").", "Staff anxiety or nervousness about sharing."], "group": "risk", "id": "anxiety", "include": ["Worry, anxiety, stress, distress, fear, panic, upset or alarm caused by seeing images.", "Seeing bad news or a serious finding without support; at home, at night, alone, before the appointment.", "Incidental findings that the patient then worries about.", "A risk acknowledged as small or manageable is still coded."], "keywords": ["anxiety", "anxious", "worry", "worried", "distress", "distressing", "upset", "fear", "frightened", "scared", "panic", "alarm", "stress", "traumatic", "unsettling", "bad news", "incidental finding", "catastrophise", "emotional harm", "scare", "frightening", "terrifying", "devastating", "devastated", "shock", "fret"], "label": "Anxiety", "parent": null}, {"colour": "#76B7B2", "definition": "Sharing images raises confidentiality, consent or data-protection concerns: insecure portals or devices, images passed on or posted online, identifiable data, GDPR.", "examples": ["Who else sees them once they are on a phone? Security of the portal worries me.", "Scans ending up on Facebook."], "exclude": ["Patient ownership of their data as a benefit with no risk named (no code)."], "group": "risk", "id": "privacy", "include": ["Data protection, GDPR, information governance, cyber security, hacking, secure portals.", "Images forwarded, posted on social media, seen by others, lost on USB sticks or phones.", "Consent, confidentiality, identifiable information on images."], "keywords": ["privacy", "confidentiality", "confidential", "data protection", "gdpr", "information governance", "security", "secure", "hacked", "social media", "consent", "identifiable", "cyber", "data breach"], "label": "Privacy and data protection", "parent": null}, {"colour": "#EDC948", "definition": "Sharing images adds work for staff or services: longer appointments, more queries, calls and complaints, IT set-up, cost and staffing pressure.", "examples": ["Every patient who opens their CT on the app will phone the department.", "We barely have time to scan them, let alone go through the pictures."], "exclude": ["Patient-side effects of the same pressures (code those by their own meaning)."], "group": "risk", "id": "staff_workload", "include": ["Time taken to show and explain images in already full clinics or lists.", "Extra phone calls, emails, queries or complaints to radiology or the GP.", "IT infrastructure, cost, resources, staffing."], "keywords": ["workload", "time consuming", "extra time", "pressure", "staffing", "resources", "cost", "phone calls", "queries", "busy", "capacity", "it systems", "admin", "backlog"], "label": "Staff workload", "parent": null}, {"colour": "#FF9DA7", "definition": "Images should be shared only with a clinician or other health professional present, in clinic or a consultation, rather than by unsupervised remote access.", "examples": ["Fine in clinic with the consultant, not on a portal at home.", "Should always be a professional there when they look."], "exclude": ["Clinicians using images in a consultation as a benefit, with no view that sharing should be restricted to it (communication)."], "group": "practice", "id": "clinician_present", "include": ["\"Only in clinic\", \"must be supervised\", \"with a doctor present\", \"not via an app or portal\".", "Applied whether or not a reason is given; with a reason about explaining, also code interpretation_difficulty."], "keywords": ["supervised", "supervision", "only in clinic", "in person", "face to face", "clinician present", "with a professional", "in a consultation", "not remotely", "unsupervised", "controlled environment", "not via an app"], "label": "Clinician present", "parent": null}, {"colour": "#9C755F", "definition": "Sharing images raises legal or professional liability: complaints or litigation over missed or disputed findings, patients challenging reports or seeking second opinions.", "examples": ["Patients will spot something on the images the report does not mention and we will be in court.", "Opens us up to more complaints and legal challenge."], "exclude": ["Complaints about waiting or service unrelated to the images (staff_workload at most)."], "group": "risk", "id": "medicolegal", "include": ["Litigation, being sued, complaints about what was or was not reported.", "Patients questioning reports, spotting something, seeking second opinions.", "Professional accountability and indemnity."], "keywords": ["litigation", "legal", "medico-legal", "sue", "lawsuit", "liability", "complaint", "second opinion", "challenge the report", "missed finding", "indemnity", "accountability", "claims"], "label": "Medico-legal", "parent": null}], "description": "Free-text answers of clinical imaging experts (radiographers, radiologists, sonographers, managers, educators) to \"What benefits or risks do you see in sharing diagnostic images with patients, in clinic or by remote access?\". Code what the respondent says about patients; a response may carry several codes or none. Non-answers get no code.", "synonyms": [["scan", "image"], ["scans", "image"], ["picture", "image"], ["pictures", "image"], ["x-ray", "image"], ["radiograph", "image"], ["mri", "image"], ["ct", "image"], ["film", "image"], ["films", "image"], ["doctor", "clinician"], ["consultant", "clinician"], ["registrar", "clinician"], ["surgeon", "clinician"], ["radiologist", "clinician"], ["radiographer", "clinician"], ["sonographer", "clinician"], ["specialist", "clinician"], ["clinicians", "clinician"], ["gp", "clinician"]], "title": "Sharing diagnostic images with patients"}','created');
INSERT INTO codebook_versions VALUES(2,'2026-11-30 04:38:38.424957','6715ecc053eb3fce','Sharing diagnostic images with patients','{"abbreviations": [["pt", "patient"], ["pts", "patients"], ["pt''s", "patient"], ["pts''", "patients"], ["dx", "diagnosis"], ["tx", "treatment"], ["rx", "treatment"], ["hx", "history"], ["sx", "symptoms"], ["f/u", "follow-up"], ["fu", "follow-up"], ["xr", "x-ray"], ["xray", "x-ray"], ["xrays", "x-ray"], ["u/s", "ultrasound"], ["uss", "ultrasound"], ["US", "ultrasound"], ["img", "image"], ["imgs", "images"], ["appt", "appointment"], ["appts", "appointments"], ["dr", "doctor"], ["drs", "doctors"], ["gp''s", "gp"], ["gps", "gp"], ["mri''s", "mri"], ["ct''s", "ct"]], "codes": [{"colour": "#4E79A7", "definition": "Seeing their own images helps patients understand their condition, diagnosis or anatomy, the information they are given, or why a treatment or procedure is needed.", "examples": ["When they can actually see the break on the x-ray it clicks why the cast has to stay on.", "Helps pts get their head round what the diagnosis means.", "Showing the scan lets them see the lump really has gone, which words alone do not do."], "exclude": ["Reassurance or feeling less worried on its own (no code).", "Staff understanding of images (not a patient-side code).", "Patients misunderstanding images (that is interpretation_difficulty)."], "group": "benefit", "id": "understanding", "include": ["Understanding of the condition, the diagnosis, the injury, the anatomy or the body.", "Making sense of what the clinician says; \"a picture is worth a thousand words\"; visual learners.", "Understanding why a treatment, operation or procedure is needed, even when no follow-through is stated.", "Reassurance framed as showing the patient what the scan does or does not show (e.g. \"see there is no tumour\")."], "keywords": ["understand", "understanding", "comprehension", "make sense", "visualise", "see for themselves", "picture is worth", "grasp", "insight", "clarity", "realise", "explain their condition", "know what is going on", "educational", "informed", "aware of their condition", "visual learner", "see what is wrong", "see the fracture"], "label": "Understanding", "parent": null}, {"colour": "#59A14F", "definition": "Images support the conversation between patient and clinician and working in partnership: explaining, asking questions, shared decisions, trust, openness and involvement in their care.", "examples": ["Pulling the images up in clinic gives us something to talk around and they ask far better questions.", "Builds trust - nothing is hidden from them.", "Patients feel part of the decision rather than being told what will happen."], "exclude": ["Talking things through with family or friends rather than a clinician.", "\"Empowering\" alone with nothing about the relationship or the conversation.", "Engagement with treatment or rehab (that is adherence)."], "group": "benefit", "id": "communication", "include": ["Images as a tool for explaining findings in a consultation; better conversations and questions.", "Shared decision-making, partnership, involvement or engagement in their care, trust, transparency, openness.", "Patient-centred care, rapport, feeling listened to or included."], "keywords": ["communication", "communicate", "conversation", "discussion", "discuss", "explain", "questions", "shared decision", "partnership", "trust", "transparency", "openness", "involve", "involvement", "engagement in their care", "rapport", "patient centred", "dialogue", "consultation", "talk through", "chat", "involved", "included", "decision", "relationship", "listened to", "partner"], "label": "Communication", "parent": null}, {"colour": "#F28E2B", "definition": "Seeing their images encourages patients to follow the care plan and manage their own health: taking treatment or medication, changing lifestyle, attending follow-up, engaging with rehab, staying motivated, accepting a referral.", "examples": ["Seeing the damage to his lungs did more to make him quit smoking than years of leaflets.", "They do their physio exercises when they have seen the tear for themselves.", "Pts are more likely to take ownership of their recovery."], "exclude": ["Understanding why a treatment is needed with no follow-through stated (understanding only).", "A drop in adherence caused by images (the code is the benefit).", "\"Empowering\" alone."], "group": "benefit", "id": "adherence", "include": ["Compliance or adherence with treatment, medication, exercises, physio or rehab.", "Lifestyle change prompted by the images (smoking, weight, alcohol, diet, exercise).", "Motivation, ownership or self-management of their health; attending follow-up or screening.", "Accepting a referral or an operation after seeing the images."], "keywords": ["adherence", "compliance", "comply", "compliant", "motivate", "motivation", "follow advice", "stick to", "take their medication", "lifestyle", "stop smoking", "lose weight", "self-management", "self care", "ownership", "attend follow up", "do their exercises", "rehab", "engage with treatment", "seriously", "stick with", "exercise", "physio", "physiotherapy", "medication", "meds", "quit", "smoking", "diet", "alcohol", "attendance", "turn up", "look after themselves", "committed"], "label": "Adherence", "parent": null}, {"colour": "#E15759", "definition": "Images are hard for lay people to interpret: they may misread them, take normal anatomy or artefacts for disease, or need an expert or the report to make sense of them.", "examples": ["To an untrained eye a normal bowel loop can look like a mass.", "Images alone mean nothing to most people - they need the report or someone to go through it.", "Risk they read something sinister into an artefact."], "exclude": ["\"Must be supervised\" or \"only in clinic\" with no reason given (clinician_present only).", "Misreading written reports alone (not about images).", "Staff finding images hard to interpret.", "The risk dismissed or denied by the respondent."], "group": "risk", "id": "interpretation_difficulty", "include": ["Misinterpretation or misreading of images; normal variants or artefacts mistaken for disease.", "Images must come with the report, an explanation, annotations or plain-English labels.", "Needs someone (a clinician, radiographer) to explain it, because patients cannot read images.", "Googling findings and drawing wrong conclusions from the pictures.", "A risk acknowledged as small or manageable is still coded."], "keywords": ["interpret", "interpretation", "misinterpret", "misread", "misunderstand", "confusing", "not trained", "lay person", "untrained eye", "make sense of the images", "need explaining", "with the report", "artefact", "normal anatomy", "annotated", "jargon", "grey blobs", "dr google", "wrong conclusions", "draw conclusions", "jump to conclusions", "meaningless", "mean nothing", "without training", "out of context", "misleading", "mistaken", "hard to read", "difficult to read", "hard to understand", "cannot interpret", "cannot read", "cannot make sense", "not understand", "not know what they are looking at", "not mean", "no idea"], "label": "Interpretation difficulty", "parent": null}, {"colour": "#B07AA1", "definition": "Seeing images may cause patients worry, distress, fear or panic: bad news delivered by an image, unsupervised access before results are discussed, incidental findings.", "examples": ["Opening a scan of your own tumour on an app at midnight with nobody to ask would be terrifying.", "Some will fret over every shadow.", "Could cause a bit of worry, though that is manageable if someone talks it through."], "exclude": ["Reassurance or less worry (no code; understanding only when framed as what the scan shows).", "The risk dismissed or denied (\"I don''t think it causes anxiety\").", "Staff anxiety or nervousness about sharing."], "group": "risk", "id": "anxiety", "include": ["Worry, anxiety, stress, distress, fear, panic, upset or alarm caused by seeing images.", "Seeing bad news or a serious finding without support; at home, at night, alone, before the appointment.", "Incidental findings that the patient then worries about.", "A risk acknowledged as small or manageable is still coded."], "keywords": ["anxiety", "anxious", "worry", "worried", "distress", "distressing", "upset", "fear", "frightened", "scared", "panic", "alarm", "stress", "traumatic", "unsettling", "bad news", "incidental finding", "catastrophise", "emotional harm", "scare", "frightening", "terrifying", "devastating", "devastated", "shock", "fret"], "label": "Anxiety", "parent": null}, {"colour": "#76B7B2", "definition": "Sharing images raises confidentiality, consent or data-protection concerns: insecure portals or devices, images passed on or posted online, identifiable data, GDPR.", "examples": ["Who else sees them once they are on a phone? Security of the portal worries me.", "Scans ending up on Facebook."], "exclude": ["Patient ownership of their data as a benefit with no risk named (no code)."], "group": "risk", "id": "privacy", "include": ["Data protection, GDPR, information governance, cyber security, hacking, secure portals.", "Images forwarded, posted on social media, seen by others, lost on USB sticks or phones.", "Consent, confidentiality, identifiable information on images."], "keywords": ["privacy", "confidentiality", "confidential", "data protection", "gdpr", "information governance", "security", "secure", "hacked", "social media", "consent", "identifiable", "cyber", "data breach"], "label": "Privacy and data protection", "parent": null}, {"colour": "#EDC948", "definition": "Sharing images adds work for staff or services: longer appointments, more queries, calls and complaints, IT set-up, cost and staffing pressure.", "examples": ["Every patient who opens their CT on the app will phone the department.", "We barely have time to scan them, let alone go through the pictures."], "exclude": ["Patient-side effects of the same pressures (code those by their own meaning)."], "group": "risk", "id": "staff_workload", "include": ["Time taken to show and explain images in already full clinics or lists.", "Extra phone calls, emails, queries or complaints to radiology or the GP.", "IT infrastructure, cost, resources, staffing."], "keywords": ["workload", "time consuming", "extra time", "pressure", "staffing", "resources", "cost", "phone calls", "queries", "busy", "capacity", "it systems", "admin", "backlog"], "label": "Staff workload", "parent": null}, {"colour": "#FF9DA7", "definition": "Images should be shared only with a clinician or other health professional present, in clinic or a consultation, rather than by unsupervised remote access.", "examples": ["Fine in clinic with the consultant, not on a portal at home.", "Should always be a professional there when they look."], "exclude": ["Clinicians using images in a consultation as a benefit, with no view that sharing should be restricted to it (communication)."], "group": "practice", "id": "clinician_present", "include": ["\"Only in clinic\", \"must be supervised\", \"with a doctor present\", \"not via an app or portal\".", "Applied whether or not a reason is given; with a reason about explaining, also code interpretation_difficulty."], "keywords": ["supervised", "supervision", "only in clinic", "in person", "face to face", "clinician present", "with a professional", "in a consultation", "not remotely", "unsupervised", "controlled environment", "not via an app"], "label": "Clinician present", "parent": null}, {"colour": "#9C755F", "definition": "Sharing images raises legal or professional liability: complaints or litigation over missed or disputed findings, patients challenging reports or seeking second opinions.", "examples": ["Patients will spot something on the images the report does not mention and we will be in court.", "Opens us up to more complaints and legal challenge."], "exclude": ["Complaints about waiting or service unrelated to the images (staff_workload at most)."], "group": "risk", "id": "medicolegal", "include": ["Litigation, being sued, complaints about what was or was not reported.", "Patients questioning reports, spotting something, seeking second opinions.", "Professional accountability and indemnity."], "keywords": ["litigation", "legal", "medico-legal", "sue", "lawsuit", "liability", "complaint", "second opinion", "challenge the report", "missed finding", "indemnity", "accountability", "claims"], "label": "Medico-legal", "parent": null}, {"colour": null, "definition": "", "examples": [], "exclude": [], "group": "", "id": "cost", "include": [], "keywords": [], "label": "Cost", "parent": null}], "description": "Free-text answers of clinical imaging experts (radiographers, radiologists, sonographers, managers, educators) to \"What benefits or risks do you see in sharing diagnostic images with patients, in clinic or by remote access?\". Code what the respondent says about patients; a response may carry several codes or none. Non-answers get no code.", "synonyms": [["scan", "image"], ["scans", "image"], ["picture", "image"], ["pictures", "image"], ["x-ray", "image"], ["radiograph", "image"], ["mri", "image"], ["ct", "image"], ["film", "image"], ["films", "image"], ["doctor", "clinician"], ["consultant", "clinician"], ["registrar", "clinician"], ["surgeon", "clinician"], ["radiologist", "clinician"], ["radiographer", "clinician"], ["sonographer", "clinician"], ["specialist", "clinician"], ["clinicians", "clinician"], ["gp", "clinician"]], "title": "Sharing diagnostic images with patients"}','added cost');
CREATE TABLE coders (
	id INTEGER NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
INSERT INTO coders VALUES(1,'ana','2026-11-30 04:38:38.283561');
INSERT INTO coders VALUES(2,'ben','2026-11-30 04:38:38.451426');
CREATE TABLE codes (
	version INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	code_id VARCHAR(128) NOT NULL, 
	label TEXT NOT NULL, 
	code_group TEXT NOT NULL, 
	parent VARCHAR(128), 
	PRIMARY KEY (version, position), 
	UNIQUE (version, code_id), 
	FOREIGN KEY(version) REFERENCES codebook_versions (version)
);
INSERT INTO codes VALUES(1,0,'understanding','Understanding','benefit',NULL);
INSERT INTO codes VALUES(1,1,'communication','Communication','benefit',NULL);
INSERT INTO codes VALUES(1,2,'adherence','Adherence','benefit',NULL);
INSERT INTO codes VALUES(1,3,'interpretation_difficulty','Interpretation difficulty','risk',NULL);
INSERT INTO codes VALUES(1,4,'anxiety','Anxiety','risk',NULL);
INSERT INTO codes VALUES(1,5,'privacy','Privacy and data protection','risk',NULL);
INSERT INTO codes VALUES(1,6,'staff_workload','Staff workload','risk',NULL);
INSERT INTO codes VALUES(1,7,'clinician_present','Clinician present','practice',NULL);
INSERT INTO codes VALUES(1,8,'medicolegal','Medico-legal','risk',NULL);
INSERT INTO codes VALUES(2,0,'understanding','Understanding','benefit',NULL);
INSERT INTO codes VALUES(2,1,'communication','Communication','benefit',NULL);
INSERT INTO codes VALUES(2,2,'adherence','Adherence','benefit',NULL);
INSERT INTO codes VALUES(2,3,'interpretation_difficulty','Interpretation difficulty','risk',NULL);
INSERT INTO codes VALUES(2,4,'anxiety','Anxiety','risk',NULL);
INSERT INTO codes VALUES(2,5,'privacy','Privacy and data protection','risk',NULL);
INSERT INTO codes VALUES(2,6,'staff_workload','Staff workload','risk',NULL);
INSERT INTO codes VALUES(2,7,'clinician_present','Clinician present','practice',NULL);
INSERT INTO codes VALUES(2,8,'medicolegal','Medico-legal','risk',NULL);
INSERT INTO codes VALUES(2,9,'cost','Cost','',NULL);
CREATE TABLE decisions (
	id INTEGER NOT NULL, 
	coder_id INTEGER NOT NULL, 
	response_pk INTEGER NOT NULL, 
	code_id VARCHAR(128) NOT NULL, 
	action VARCHAR(8) NOT NULL, 
	at DATETIME NOT NULL, 
	codebook_version INTEGER NOT NULL, 
	probability FLOAT, 
	from_suggestion BOOLEAN NOT NULL, 
	suggestions_on BOOLEAN NOT NULL, 
	undoes INTEGER, 
	note TEXT NOT NULL, 
	uid VARCHAR(32), 
	seg_start INTEGER, 
	seg_end INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT decision_action CHECK (action IN ('apply', 'remove')), 
	CONSTRAINT decision_probability CHECK (probability IS NULL OR (probability >= 0 AND probability <= 1)), 
	FOREIGN KEY(coder_id) REFERENCES coders (id), 
	FOREIGN KEY(response_pk) REFERENCES responses (pk), 
	FOREIGN KEY(codebook_version) REFERENCES codebook_versions (version), 
	FOREIGN KEY(undoes) REFERENCES decisions (id)
);
INSERT INTO decisions VALUES(1,1,1,'understanding','apply','2026-11-30 04:38:38.298303',1,NULL,0,0,NULL,'','ed7c009aed0641b990cc6a12600e7b30',NULL,NULL);
INSERT INTO decisions VALUES(2,1,2,'anxiety','apply','2026-11-30 04:38:38.329545',1,NULL,0,0,NULL,'','e1bbb7d0dad445ffbb70da0cf71e8e8a',NULL,NULL);
INSERT INTO decisions VALUES(3,1,2,'communication','apply','2026-11-30 04:38:38.345773',1,NULL,0,0,NULL,'','70def70e9d994064b4d3a5b4cf206055',NULL,NULL);
INSERT INTO decisions VALUES(4,1,2,'communication','remove','2026-11-30 04:38:38.360306',1,NULL,0,0,3,'undo','e3750ca3c8084195848131a208fe475f',NULL,NULL);
INSERT INTO decisions VALUES(5,2,1,'understanding','apply','2026-11-30 04:38:38.452568',2,NULL,0,0,NULL,'','2bfefd3c1ded400dab189955547b5c6d',NULL,NULL);
INSERT INTO decisions VALUES(6,2,1,'cost','apply','2026-11-30 04:38:38.479368',2,NULL,0,0,NULL,'','cfb7036b80c14e24a512e337eea9e32f',0,15);
CREATE TABLE flags (
	coder_id INTEGER NOT NULL, 
	response_pk INTEGER NOT NULL, 
	flagged_at DATETIME NOT NULL, 
	PRIMARY KEY (coder_id, response_pk), 
	FOREIGN KEY(coder_id) REFERENCES coders (id), 
	FOREIGN KEY(response_pk) REFERENCES responses (pk)
);
CREATE TABLE memos (
	coder_id INTEGER NOT NULL, 
	response_pk INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (coder_id, response_pk), 
	FOREIGN KEY(coder_id) REFERENCES coders (id), 
	FOREIGN KEY(response_pk) REFERENCES responses (pk)
);
INSERT INTO memos VALUES(1,2,'acknowledged risk','2026-11-30 04:38:38.412132');
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO meta VALUES('application','codewell');
INSERT INTO meta VALUES('schema_version','6');
INSERT INTO meta VALUES('created_at','2026-11-30T04:38:35.728684+00:00');
CREATE TABLE reliability_sets (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	seed INTEGER NOT NULL, 
	stratify TEXT, 
	allow_suggestions BOOLEAN NOT NULL, 
	note TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
INSERT INTO reliability_sets VALUES(1,'irr','2026-11-30 04:38:38.571326',1,NULL,0,'drawn 2 of 2');
CREATE TABLE responses (
	pk INTEGER NOT NULL, 
	source_id TEXT NOT NULL, 
	text TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	attributes TEXT NOT NULL, 
	is_empty BOOLEAN NOT NULL, 
	source_file TEXT NOT NULL, shuffle BIGINT, 
	PRIMARY KEY (pk), 
	UNIQUE (source_id)
);
INSERT INTO responses VALUES(1,'r1','Seeing the scan helped her understand the diagnosis.',2,'{"role": "radiographer"}',0,'v4.csv',3437789212361099098);
INSERT INTO responses VALUES(2,'r2','Patients may panic at incidental findings.',3,'{"role": "radiologist"}',0,'v4.csv',2355389994308404808);
INSERT INTO responses VALUES(3,'r3','',4,'{"role": "sonographer"}',1,'v4.csv',1366188853960056953);
CREATE TABLE set_coders (
	set_id INTEGER NOT NULL, 
	coder_id INTEGER NOT NULL, 
	joined_at DATETIME NOT NULL, 
	PRIMARY KEY (set_id, coder_id), 
	FOREIGN KEY(set_id) REFERENCES reliability_sets (id), 
	FOREIGN KEY(coder_id) REFERENCES coders (id)
);
INSERT INTO set_coders VALUES(1,1,'2026-11-30 04:38:38.623110');
CREATE TABLE set_members (
	set_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	response_pk INTEGER NOT NULL, 
	PRIMARY KEY (set_id, position), 
	UNIQUE (set_id, response_pk), 
	FOREIGN KEY(set_id) REFERENCES reliability_sets (id), 
	FOREIGN KEY(response_pk) REFERENCES responses (pk)
);
INSERT INTO set_members VALUES(1,0,2);
INSERT INTO set_members VALUES(1,1,1);
CREATE TABLE shown_suggestions (
	id INTEGER NOT NULL, 
	coder_id INTEGER NOT NULL, 
	response_pk INTEGER NOT NULL, 
	code_id VARCHAR(128) NOT NULL, 
	probability FLOAT NOT NULL, 
	suggested BOOLEAN NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(coder_id) REFERENCES coders (id), 
	FOREIGN KEY(response_pk) REFERENCES responses (pk)
);
CREATE TABLE statuses (
	coder_id INTEGER NOT NULL, 
	response_pk INTEGER NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (coder_id, response_pk), 
	CONSTRAINT status_value CHECK (status IN ('done', 'skipped', 'flagged')), 
	FOREIGN KEY(coder_id) REFERENCES coders (id), 
	FOREIGN KEY(response_pk) REFERENCES responses (pk)
);
INSERT INTO statuses VALUES(1,1,'done','2026-11-30 04:38:38.397285');
INSERT INTO statuses VALUES(1,2,'done','2026-11-30 04:38:38.400541');
INSERT INTO statuses VALUES(2,1,'done','2026-11-30 04:38:38.492502');
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','responses_fts','responses_fts',0,'CREATE VIRTUAL TABLE responses_fts USING fts5(text, content=''responses'', content_rowid=''pk'')');
CREATE TABLE IF NOT EXISTS 'responses_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO responses_fts_data VALUES(1,X'030e');
INSERT INTO responses_fts_data VALUES(10,X'000000000101010001010101');
INSERT INTO responses_fts_data VALUES(137438953473,X'0000008e033061740202050109646961676e6f736973010209010866696e64696e6773020207010668656c706564010205030172010206010a696e636964656e74616c02020601036d6179020203010570616e696302020403067469656e747302020201047363616e01020402056565696e67010202010374686501040307010a756e6465727374616e6401020704070e0d0b060f080a0b090a09');
CREATE TABLE IF NOT EXISTS 'responses_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO responses_fts_idx VALUES(1,X'',2);
CREATE TABLE IF NOT EXISTS 'responses_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO responses_fts_docsize VALUES(1,X'08');
INSERT INTO responses_fts_docsize VALUES(2,X'06');
INSERT INTO responses_fts_docsize VALUES(3,X'00');
CREATE TABLE IF NOT EXISTS 'responses_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO responses_fts_config VALUES('version',4);
CREATE UNIQUE INDEX decisions_uid ON decisions (uid);
CREATE UNIQUE INDEX decisions_undoes ON decisions (undoes);
CREATE INDEX decisions_by_coder ON decisions (coder_id, response_pk, code_id);
CREATE INDEX shown_by_coder ON shown_suggestions (coder_id, response_pk);
CREATE INDEX responses_core_length ON responses ((length(trim(text, '	

                  　.!'))));
CREATE INDEX responses_shuffle ON responses (shuffle, pk);
PRAGMA writable_schema=OFF;
COMMIT;
