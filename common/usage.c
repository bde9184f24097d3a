/*
 * usage.c - the usage -> evdev tables of hid-input (drivers/hid/hid-input.c)
 * as seen on the kernel the VM tier boots, and vhid's Apple translation.
 * tests/vm/test-keymap.c posts every entry and checks the code the kernel
 * reports, so a kernel that maps differently fails the tests, not users.
 */
#include "usage.h"

#include <linux/input-event-codes.h>
#include <stdbool.h>
#include <stddef.h>

#define UNK KEY_UNKNOWN

/* hid-input's table for usage page 0x07, written with the evdev names */
/* clang-format off */
static const uint16_t keyboard_keys[256] = {
	/* 0x00 */ 0, 0, 0, 0, KEY_A, KEY_B, KEY_C, KEY_D,
	/* 0x08 */ KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L,
	/* 0x10 */ KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T,
	/* 0x18 */ KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z, KEY_1, KEY_2,
	/* 0x20 */ KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0,
	/* 0x28 */ KEY_ENTER, KEY_ESC, KEY_BACKSPACE, KEY_TAB, KEY_SPACE, KEY_MINUS, KEY_EQUAL, KEY_LEFTBRACE,
	/* 0x30 */ KEY_RIGHTBRACE, KEY_BACKSLASH, KEY_BACKSLASH, KEY_SEMICOLON, KEY_APOSTROPHE, KEY_GRAVE, KEY_COMMA, KEY_DOT,
	/* 0x38 */ KEY_SLASH, KEY_CAPSLOCK, KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6,
	/* 0x40 */ KEY_F7, KEY_F8, KEY_F9, KEY_F10, KEY_F11, KEY_F12, KEY_SYSRQ, KEY_SCROLLLOCK,
	/* 0x48 */ KEY_PAUSE, KEY_INSERT, KEY_HOME, KEY_PAGEUP, KEY_DELETE, KEY_END, KEY_PAGEDOWN, KEY_RIGHT,
	/* 0x50 */ KEY_LEFT, KEY_DOWN, KEY_UP, KEY_NUMLOCK, KEY_KPSLASH, KEY_KPASTERISK, KEY_KPMINUS, KEY_KPPLUS,
	/* 0x58 */ KEY_KPENTER, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7,
	/* 0x60 */ KEY_KP8, KEY_KP9, KEY_KP0, KEY_KPDOT, KEY_102ND, KEY_COMPOSE, KEY_POWER, KEY_KPEQUAL,
	/* 0x68 */ KEY_F13, KEY_F14, KEY_F15, KEY_F16, KEY_F17, KEY_F18, KEY_F19, KEY_F20,
	/* 0x70 */ KEY_F21, KEY_F22, KEY_F23, KEY_F24, KEY_OPEN, KEY_HELP, KEY_PROPS, KEY_FRONT,
	/* 0x78 */ KEY_STOP, KEY_AGAIN, KEY_UNDO, KEY_CUT, KEY_COPY, KEY_PASTE, KEY_FIND, KEY_MUTE,
	/* 0x80 */ KEY_VOLUMEUP, KEY_VOLUMEDOWN, UNK, UNK, UNK, KEY_KPCOMMA, UNK, KEY_RO,
	/* 0x88 */ KEY_KATAKANAHIRAGANA, KEY_YEN, KEY_HENKAN, KEY_MUHENKAN, KEY_KPJPCOMMA, UNK, UNK, UNK,
	/* 0x90 */ KEY_HANGEUL, KEY_HANJA, KEY_KATAKANA, KEY_HIRAGANA, KEY_ZENKAKUHANKAKU, UNK, UNK, UNK,
	/* 0x98 */ UNK, UNK, UNK, UNK, KEY_DELETE, UNK, UNK, UNK,
	/* 0xa0 */ UNK, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xa8 */ UNK, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xb0 */ UNK, UNK, UNK, UNK, UNK, UNK, KEY_KPLEFTPAREN, KEY_KPRIGHTPAREN,
	/* 0xb8 */ UNK, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xc0 */ UNK, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xc8 */ UNK, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xd0 */ UNK, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xd8 */ KEY_DELETE, UNK, UNK, UNK, UNK, UNK, UNK, UNK,
	/* 0xe0 */ KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_LEFTALT, KEY_LEFTMETA, KEY_RIGHTCTRL, KEY_RIGHTSHIFT, KEY_RIGHTALT, KEY_RIGHTMETA,
	/* 0xe8 */ KEY_PLAYPAUSE, KEY_STOPCD, KEY_PREVIOUSSONG, KEY_NEXTSONG, KEY_EJECTCD, KEY_VOLUMEUP, KEY_VOLUMEDOWN, KEY_MUTE,
	/* 0xf0 */ KEY_WWW, KEY_BACK, KEY_FORWARD, KEY_STOP, KEY_FIND, KEY_SCROLLUP, KEY_SCROLLDOWN, KEY_EDIT,
	/* 0xf8 */ KEY_SLEEP, KEY_COFFEE, KEY_REFRESH, KEY_CALC, UNK, UNK, UNK, UNK,
};
/* clang-format on */

/* hid-input's HID_UP_CONSUMER switch, key mappings only, sorted by usage */
/* clang-format off */
static const struct usage_key consumer_keys[] = {
	{0x030, KEY_POWER, "power"},
	{0x031, KEY_RESTART, "reset"},
	{0x032, KEY_SLEEP, "sleep"},
	{0x034, KEY_SLEEP, "sleep-mode"},
	{0x035, KEY_KBDILLUMTOGGLE, "illumination"},
	{0x036, BTN_MISC, "function-buttons"},
	{0x040, KEY_MENU, "menu"},
	{0x041, KEY_SELECT, "menu-pick"},
	{0x042, KEY_UP, "menu-up"},
	{0x043, KEY_DOWN, "menu-down"},
	{0x044, KEY_LEFT, "menu-left"},
	{0x045, KEY_RIGHT, "menu-right"},
	{0x046, KEY_ESC, "menu-escape"},
	{0x047, KEY_KPPLUS, "menu-value-increase"},
	{0x048, KEY_KPMINUS, "menu-value-decrease"},
	{0x060, KEY_INFO, "data-on-screen"},
	{0x061, KEY_SUBTITLE, "closed-caption"},
	{0x063, KEY_VCR, "vcr-tv"},
	{0x065, KEY_CAMERA, "snapshot"},
	{0x069, KEY_RED, "red"},
	{0x06a, KEY_GREEN, "green"},
	{0x06b, KEY_BLUE, "blue"},
	{0x06c, KEY_YELLOW, "yellow"},
	{0x06d, KEY_ASPECT_RATIO, "aspect"},
	{0x06f, KEY_BRIGHTNESSUP, "brightness-up"},
	{0x070, KEY_BRIGHTNESSDOWN, "brightness-down"},
	{0x072, KEY_BRIGHTNESS_TOGGLE, "brightness-toggle"},
	{0x073, KEY_BRIGHTNESS_MIN, "brightness-min"},
	{0x074, KEY_BRIGHTNESS_MAX, "brightness-max"},
	{0x075, KEY_BRIGHTNESS_AUTO, "brightness-auto"},
	{0x079, KEY_KBDILLUMUP, "illumination-up"},
	{0x07a, KEY_KBDILLUMDOWN, "illumination-down"},
	{0x07c, KEY_KBDILLUMTOGGLE, "illumination-toggle"},
	{0x082, KEY_VIDEO_NEXT, "mode-step"},
	{0x083, KEY_LAST, "recall-last"},
	{0x084, KEY_ENTER, "enter-channel"},
	{0x088, KEY_PC, "media-computer"},
	{0x089, KEY_TV, "media-tv"},
	{0x08a, KEY_WWW, "media-www"},
	{0x08b, KEY_DVD, "media-dvd"},
	{0x08c, KEY_PHONE, "media-telephone"},
	{0x08d, KEY_PROGRAM, "media-program-guide"},
	{0x08e, KEY_VIDEOPHONE, "media-video-phone"},
	{0x08f, KEY_GAMES, "media-games"},
	{0x090, KEY_MEMO, "media-messages"},
	{0x091, KEY_CD, "media-cd"},
	{0x092, KEY_VCR, "media-vcr"},
	{0x093, KEY_TUNER, "media-tuner"},
	{0x094, KEY_EXIT, "quit"},
	{0x095, KEY_HELP, "help"},
	{0x096, KEY_TAPE, "media-tape"},
	{0x097, KEY_TV2, "media-cable"},
	{0x098, KEY_SAT, "media-satellite"},
	{0x09a, KEY_PVR, "media-home"},
	{0x09c, KEY_CHANNELUP, "channel-up"},
	{0x09d, KEY_CHANNELDOWN, "channel-down"},
	{0x0a0, KEY_VCR2, "vcr-plus"},
	{0x0b0, KEY_PLAY, "play"},
	{0x0b1, KEY_PAUSE, "pause"},
	{0x0b2, KEY_RECORD, "record"},
	{0x0b3, KEY_FASTFORWARD, "fast-forward"},
	{0x0b4, KEY_REWIND, "rewind"},
	{0x0b5, KEY_NEXTSONG, "next-track"},
	{0x0b6, KEY_PREVIOUSSONG, "previous-track"},
	{0x0b7, KEY_STOPCD, "stop"},
	{0x0b8, KEY_EJECTCD, "eject"},
	{0x0b9, KEY_SHUFFLE, "random-play"},
	{0x0bc, KEY_MEDIA_REPEAT, "repeat"},
	{0x0bf, KEY_SLOW, "slow-tracking"},
	{0x0cd, KEY_PLAYPAUSE, "play-pause"},
	{0x0cf, KEY_VOICECOMMAND, "voice-command"},
	{0x0e2, KEY_MUTE, "mute"},
	{0x0e5, KEY_BASSBOOST, "bass-boost"},
	{0x0e9, KEY_VOLUMEUP, "volume-up"},
	{0x0ea, KEY_VOLUMEDOWN, "volume-down"},
	{0x0f5, KEY_SLOW, "slow"},
	{0x181, KEY_BUTTONCONFIG, "al-button-config"},
	{0x182, KEY_BOOKMARKS, "al-bookmarks"},
	{0x183, KEY_CONFIG, "al-consumer-control-config"},
	{0x184, KEY_WORDPROCESSOR, "al-word-processor"},
	{0x185, KEY_EDITOR, "al-text-editor"},
	{0x186, KEY_SPREADSHEET, "al-spreadsheet"},
	{0x187, KEY_GRAPHICSEDITOR, "al-graphics-editor"},
	{0x188, KEY_PRESENTATION, "al-presentation"},
	{0x189, KEY_DATABASE, "al-database"},
	{0x18a, KEY_MAIL, "al-email"},
	{0x18b, KEY_NEWS, "al-newsreader"},
	{0x18c, KEY_VOICEMAIL, "al-voicemail"},
	{0x18d, KEY_ADDRESSBOOK, "al-contacts"},
	{0x18e, KEY_CALENDAR, "al-calendar"},
	{0x18f, KEY_TASKMANAGER, "al-task-manager"},
	{0x190, KEY_JOURNAL, "al-log"},
	{0x191, KEY_FINANCE, "al-finance"},
	{0x192, KEY_CALC, "al-calculator"},
	{0x193, KEY_PLAYER, "al-av-capture"},
	{0x194, KEY_FILE, "al-local-browser"},
	{0x196, KEY_WWW, "al-internet-browser"},
	{0x199, KEY_CHAT, "al-chat"},
	{0x19c, KEY_LOGOFF, "al-logoff"},
	{0x19e, KEY_COFFEE, "al-terminal-lock"},
	{0x19f, KEY_CONTROLPANEL, "al-control-panel"},
	{0x1a2, KEY_APPSELECT, "al-select-task"},
	{0x1a3, KEY_NEXT, "al-next-task"},
	{0x1a4, KEY_PREVIOUS, "al-previous-task"},
	{0x1a6, KEY_HELP, "al-integrated-help"},
	{0x1a7, KEY_DOCUMENTS, "al-documents"},
	{0x1ab, KEY_SPELLCHECK, "al-spell-check"},
	{0x1ae, KEY_KEYBOARD, "al-keyboard-layout"},
	{0x1b1, KEY_SCREENSAVER, "al-screen-saver"},
	{0x1b4, KEY_FILE, "al-file-browser"},
	{0x1b6, KEY_IMAGES, "al-image-browser"},
	{0x1b7, KEY_AUDIO, "al-audio-browser"},
	{0x1b8, KEY_VIDEO, "al-movie-browser"},
	{0x1bc, KEY_MESSENGER, "al-instant-messaging"},
	{0x1bd, KEY_INFO, "al-oem-features"},
	{0x1cb, KEY_ASSISTANT, "al-context-aware-assistant"},
	{0x201, KEY_NEW, "ac-new"},
	{0x202, KEY_OPEN, "ac-open"},
	{0x203, KEY_CLOSE, "ac-close"},
	{0x204, KEY_EXIT, "ac-exit"},
	{0x207, KEY_SAVE, "ac-save"},
	{0x208, KEY_PRINT, "ac-print"},
	{0x209, KEY_PROPS, "ac-properties"},
	{0x21a, KEY_UNDO, "ac-undo"},
	{0x21b, KEY_COPY, "ac-copy"},
	{0x21c, KEY_CUT, "ac-cut"},
	{0x21d, KEY_PASTE, "ac-paste"},
	{0x21f, KEY_FIND, "ac-find"},
	{0x221, KEY_SEARCH, "ac-search"},
	{0x222, KEY_GOTO, "ac-go-to"},
	{0x223, KEY_HOMEPAGE, "ac-home"},
	{0x224, KEY_BACK, "ac-back"},
	{0x225, KEY_FORWARD, "ac-forward"},
	{0x226, KEY_STOP, "ac-stop"},
	{0x227, KEY_REFRESH, "ac-refresh"},
	{0x22a, KEY_BOOKMARKS, "ac-bookmarks"},
	{0x22d, KEY_ZOOMIN, "ac-zoom-in"},
	{0x22e, KEY_ZOOMOUT, "ac-zoom-out"},
	{0x22f, KEY_ZOOMRESET, "ac-zoom"},
	{0x232, KEY_FULL_SCREEN, "ac-full-screen"},
	{0x233, KEY_SCROLLUP, "ac-scroll-up"},
	{0x234, KEY_SCROLLDOWN, "ac-scroll-down"},
	{0x23d, KEY_EDIT, "ac-edit"},
	{0x25f, KEY_CANCEL, "ac-cancel"},
	{0x269, KEY_INSERT, "ac-insert-mode"},
	{0x26a, KEY_DELETE, "ac-delete"},
	{0x279, KEY_REDO, "ac-redo"},
	{0x289, KEY_REPLY, "ac-reply"},
	{0x28b, KEY_FORWARDMAIL, "ac-forward-msg"},
	{0x28c, KEY_SEND, "ac-send"},
	{0x29d, KEY_KBD_LAYOUT_NEXT, "ac-next-keyboard-layout"},
	{0x29f, KEY_SCALE, "ac-show-all-windows"},
	{0x2a2, KEY_ALL_APPLICATIONS, "ac-show-all-applications"},
	{0x2c7, KEY_KBDINPUTASSIST_PREV, "kbd-input-assist-previous"},
	{0x2c8, KEY_KBDINPUTASSIST_NEXT, "kbd-input-assist-next"},
	{0x2c9, KEY_KBDINPUTASSIST_PREVGROUP, "kbd-input-assist-previous-group"},
	{0x2ca, KEY_KBDINPUTASSIST_NEXTGROUP, "kbd-input-assist-next-group"},
	{0x2cb, KEY_KBDINPUTASSIST_ACCEPT, "kbd-input-assist-accept"},
	{0x2cc, KEY_KBDINPUTASSIST_CANCEL, "kbd-input-assist-cancel"},
};
/* clang-format on */

/* Generic Desktop System Control usages 0x81-0x8f (hid-input's 0x80 block) */
/* clang-format off */
static const struct usage_key system_keys[] = {
	{0x81, KEY_POWER, "system-power-down"},
	{0x82, KEY_SLEEP, "system-sleep"},
	{0x83, KEY_WAKEUP, "system-wake-up"},
	{0x84, KEY_CONTEXT_MENU, "system-context-menu"},
	{0x85, KEY_MENU, "system-main-menu"},
	{0x86, KEY_PROG1, "system-app-menu"},
	{0x87, KEY_HELP, "system-menu-help"},
	{0x88, KEY_EXIT, "system-menu-exit"},
	{0x89, KEY_SELECT, "system-menu-select"},
	{0x8a, KEY_RIGHT, "system-menu-right"},
	{0x8b, KEY_LEFT, "system-menu-left"},
	{0x8c, KEY_UP, "system-menu-up"},
	{0x8d, KEY_DOWN, "system-menu-down"},
	{0x8e, KEY_POWER2, "system-cold-restart"},
	{0x8f, KEY_RESTART, "system-warm-restart"},
};
/* clang-format on */

/*
 * Apple vendor usages as the seed system posts them (reports 3 and 4), and the
 * standard consumer usage vhid sends instead. 0 means no equivalent: posting
 * that usage is rejected with VHID_EAPPLE, naming it.
 */
/* clang-format off */
static const struct apple_usage apple_usages[] = {
	{USAGE_PAGE_APPLE_TOP_CASE, 0x03, "fn", 0},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x04, "brightness-up", 0x06f},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x05, "brightness-down", 0x070},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x06, "video-mirror", 0},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x07, "illumination-toggle", 0x07c},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x08, "illumination-up", 0x079},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x09, "illumination-down", 0x07a},
	{USAGE_PAGE_APPLE_TOP_CASE, 0x0a, "clamshell-latched", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x01, "spotlight", 0x221},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x02, "dashboard", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x03, "function", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x04, "launchpad", 0x2a2},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x0a, "reserved", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x0b, "caps-lock-delay-enable", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x0c, "power-state", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x10, "mission-control", 0x29f},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x11, "expose-desktop", 0},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x20, "brightness-up", 0x06f},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x21, "brightness-down", 0x070},
	{USAGE_PAGE_APPLE_KEYBOARD, 0x30, "language", 0x29d},
};
/* clang-format on */

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

uint16_t
usage_keyboard_key(uint16_t usage)
{
	return usage < LEN(keyboard_keys) ? keyboard_keys[usage] : 0;
}

const struct usage_key *
usage_consumer_table(unsigned int *count)
{
	*count = LEN(consumer_keys);
	return consumer_keys;
}

const struct usage_key *
usage_system_table(unsigned int *count)
{
	*count = LEN(system_keys);
	return system_keys;
}

static const struct usage_key *
find(const struct usage_key *t, size_t n, uint16_t usage)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].usage == usage)
			return &t[mid];
		if (t[mid].usage < usage)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct usage_key *
usage_consumer_lookup(uint16_t usage)
{
	return find(consumer_keys, LEN(consumer_keys), usage);
}

const struct usage_key *
usage_system_lookup(uint16_t usage)
{
	return find(system_keys, LEN(system_keys), usage);
}

const char *
usage_consumer_axis_name(uint16_t usage)
{
	switch (usage) {
	case 0x0e0:
		return "Volume, an absolute axis (ABS_VOLUME); use volume-up/volume-down";
	case 0x238:
		return "AC Pan, a relative axis (REL_HWHEEL); use the pointer's horizontal wheel";
	default:
		return NULL;
	}
}

const struct apple_usage *
usage_apple_table(unsigned int *count)
{
	*count = LEN(apple_usages);
	return apple_usages;
}

const struct apple_usage *
usage_apple_lookup(uint16_t page, uint16_t usage)
{
	for (size_t i = 0; i < LEN(apple_usages); i++)
		if (apple_usages[i].page == page && apple_usages[i].usage == usage)
			return &apple_usages[i];
	return NULL;
}

uint16_t
usage_power_translation(uint8_t report_id, uint16_t usage)
{
	static const struct {
		uint8_t report;
		uint16_t usage, system;
	} t[] = {
		{1, 0x66, 0x81},  {1, 0xf8, 0x82},  {2, 0x030, 0x81},
		{2, 0x031, 0x8f}, {2, 0x032, 0x82}, {2, 0x034, 0x82},
	};

	for (size_t i = 0; i < LEN(t); i++)
		if (t[i].report == report_id && t[i].usage == usage)
			return t[i].system;
	return 0;
}

/* A keyboard-page usage that produces key on the main node (not a placeholder). */
static bool
keyboard_usage_is(unsigned int u, uint16_t key)
{
	return keyboard_keys[u] == key && key != KEY_UNKNOWN && !usage_power_translation(1, u);
}

int
usage_from_key(uint16_t key, uint8_t *report_id, uint16_t *usage)
{
	/* 0x04-0xe7 first: the plain keyboard keys and modifiers */
	for (unsigned int u = 0x04; u <= 0xe7; u++) {
		if (keyboard_usage_is(u, key)) {
			*report_id = 1;
			*usage = (uint16_t)u;
			return 0;
		}
	}
	/* power-type keys come from the System Control node (descriptor.c) */
	for (size_t i = 0; i < LEN(consumer_keys); i++) {
		if (consumer_keys[i].key == key &&
		    !usage_power_translation(2, consumer_keys[i].usage)) {
			*report_id = 2;
			*usage = consumer_keys[i].usage;
			return 0;
		}
	}
	for (size_t i = 0; i < LEN(system_keys); i++) {
		if (system_keys[i].key == key) {
			*report_id = 7;
			*usage = system_keys[i].usage;
			return 0;
		}
	}
	for (unsigned int u = 0xe8; u <= 0xff; u++) {
		if (keyboard_usage_is(u, key)) {
			*report_id = 1;
			*usage = (uint16_t)u;
			return 0;
		}
	}
	return -1;
}
